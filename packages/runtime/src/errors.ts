import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ValidationRule,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";

import type { ErrorCode } from "@junggo/events";

export type { ErrorCode } from "@junggo/events";

/**
 * A business failure with a stable code (one of ErrorCode, packages/events/src/error-codes.ts). Domain and use-case code throw it; the GraphQL layer
 * turns it into an error with `extensions.code`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badInput = (field: string, message: string) =>
  new DomainError("BAD_USER_INPUT", message, { field });

const SAFE_CODES = new Set<string>([
  "BAD_USER_INPUT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
] satisfies ErrorCode[]);

/**
 * Apollo `formatError`: business errors keep their code and message; anything unexpected becomes a
 * generic INTERNAL_SERVER_ERROR. Stack traces never leave the process.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown })?.originalError;
  if (original instanceof DomainError) {
    return {
      message: original.message,
      path: formatted.path,
      extensions: { code: original.code, ...original.details },
    };
  }
  let code = (formatted.extensions?.code as string | undefined) ?? "INTERNAL_SERVER_ERROR";
  // A validation rule's own code (e.g. QUERY_TOO_COMPLEX) is more useful than the generic one.
  const ruleCode = original instanceof GraphQLError ? original.extensions?.code : undefined;
  if (code === "GRAPHQL_VALIDATION_FAILED" && typeof ruleCode === "string") code = ruleCode;
  const {
    stacktrace: _drop,
    exception: _drop2,
    ...ext
  } = (formatted.extensions ?? {}) as Record<string, unknown>;
  if (SAFE_CODES.has(code) || (original instanceof GraphQLError && original.extensions?.code)) {
    return { ...formatted, extensions: { ...ext, code } };
  }
  if (code === "INTERNAL_SERVER_ERROR" && !(original instanceof GraphQLError)) {
    return { message: "Internal server error", path: formatted.path, extensions: { code } };
  }
  return { ...formatted, extensions: { ...ext, code } };
}

/** An execution result as a client may see it: every error through `formatError`. */
export function formatExecutionResult(result: ExecutionResult): FormattedExecutionResult {
  if (!result.errors?.length) return result as FormattedExecutionResult;
  return {
    ...result,
    errors: result.errors.map((e) => formatError(e.toJSON(), e)),
  } as FormattedExecutionResult;
}

/** Parses and validates an operation, with the error codes Apollo Server uses for HTTP requests. */
export function parseOperation(
  schema: GraphQLSchema,
  query: string,
  extraRules: readonly ValidationRule[] = [],
): { document: DocumentNode } | { errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    return {
      errors: [
        new GraphQLError((err as Error).message, {
          extensions: { code: "GRAPHQL_PARSE_FAILED" satisfies ErrorCode },
        }),
      ],
    };
  }
  const errors = validate(schema, document, [...specifiedRules, ...extraRules]);
  if (errors.length)
    return {
      errors: errors.map(
        (e) =>
          new GraphQLError(e.message, {
            nodes: e.nodes,
            extensions: { code: "GRAPHQL_VALIDATION_FAILED" satisfies ErrorCode, ...e.extensions },
          }),
      ),
    };
  return { document };
}

/**
 * Express error handler of last resort: body-parser's and any other HTTP-level failure answers as
 * a GraphQL-shaped JSON error, never Express's default HTML page with a stack trace.
 */
export function httpErrorHandler(
  err: { status?: number; statusCode?: number; type?: string },
  _req: unknown,
  res: { headersSent: boolean; status(code: number): { json(body: unknown): void } },
  next: (err?: unknown) => void,
): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  const status = err.status ?? err.statusCode ?? 500;
  const [code, message]: [ErrorCode, string] =
    status === 413
      ? ["PAYLOAD_TOO_LARGE", "The request body is too large."]
      : status >= 400 && status < 500
        ? ["BAD_REQUEST", "The request body is not valid JSON for a GraphQL request."]
        : ["INTERNAL_SERVER_ERROR", "Internal server error"];
  res
    .status(status >= 400 && status < 600 ? status : 500)
    .json({ errors: [{ message, extensions: { code } }] });
}
