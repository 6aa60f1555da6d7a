// Turns API failures into messages a person understands, one per contract error code.
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";

export interface ApiError {
  code?: string;
  /** What to show. */
  message: string;
  /** The input field a BAD_USER_INPUT error is about (extensions.field). */
  field?: string;
  retryAfterSeconds?: number;
}

interface RawGraphQLError {
  message: string;
  extensions?: Record<string, unknown>;
}

const MESSAGES: Record<string, string | ((e: RawGraphQLError) => string)> = {
  UNAUTHENTICATED: "Your session has expired. Please log in again.",
  FORBIDDEN: "Your account is not allowed to do this.",
  BAD_USER_INPUT: (e) => `Please check your input: ${e.message}`,
  INVALID_CREDENTIALS: "Wrong email or password.",
  EMAIL_TAKEN: "An account with this email already exists.",
  DUPLICATE_VIN: "A vehicle with this VIN is already registered.",
  VEHICLE_NOT_FOUND: "This car is not on sale (yet). If it was just listed, try again in a moment.",
  VEHICLE_NOT_AVAILABLE: "Sorry, this car was just reserved or sold to someone else. Nothing was charged.",
  PAYMENT_DECLINED:
    "Your payment was declined by the card issuer. Nothing was charged and no purchase was made.",
  PAYMENT_UNAVAILABLE: (e) => {
    const s = Number(e.extensions?.retryAfterSeconds);
    const when =
      Number.isFinite(s) && s > 0
        ? ` in about ${Math.ceil(s)} second${Math.ceil(s) === 1 ? "" : "s"}`
        : " shortly";
    return `Payments are temporarily unavailable. Nothing was charged — please try again${when}.`;
  },
  PURCHASE_NOT_FOUND: "This purchase does not exist.",
  PURCHASE_NOT_CANCELLABLE:
    "This purchase can no longer be cancelled: it was already delivered or cancelled.",
  CONSIGNMENT_NOT_FOUND: "This job does not exist.",
  CONSIGNMENT_NOT_OPEN: "Too late: another driver took this job, or it was cancelled.",
  CONSIGNMENT_INVALID_STATE: "This job is not in the right state for that step (it may have been cancelled).",
  INTERNAL_SERVER_ERROR: "Something went wrong on our side. Please try again.",
};

function firstGraphQLError(err: unknown): RawGraphQLError | undefined {
  if (CombinedGraphQLErrors.is(err)) return err.errors[0] as RawGraphQLError | undefined;
  if (ServerError.is(err)) {
    try {
      const body = JSON.parse(err.bodyText) as { errors?: RawGraphQLError[] };
      return body.errors?.[0];
    } catch {
      return undefined;
    }
  }
  if (err && typeof err === "object" && "graphQLError" in err)
    return (err as { graphQLError: RawGraphQLError }).graphQLError;
  return undefined;
}

/** The code of the first GraphQL error, if any. */
export const errorCode = (err: unknown): string | undefined =>
  firstGraphQLError(err)?.extensions?.code as string | undefined;

export function describeError(err: unknown): ApiError {
  const g = firstGraphQLError(err);
  if (!g) {
    if (ServerError.is(err))
      return { message: `The server answered with HTTP ${err.statusCode}. Please try again.` };
    return { message: "Cannot reach Junggo right now. Check your connection and try again." };
  }
  const code = typeof g.extensions?.code === "string" ? g.extensions.code : undefined;
  const text = code ? MESSAGES[code] : undefined;
  const retry = Number(g.extensions?.retryAfterSeconds);
  return {
    code,
    message: typeof text === "function" ? text(g) : (text ?? g.message),
    field: typeof g.extensions?.field === "string" ? g.extensions.field : undefined,
    retryAfterSeconds: Number.isFinite(retry) && retry > 0 ? retry : undefined,
  };
}

/** An error thrown by `gqlFetch`, shaped so that describeError understands it. */
export class GraphQLRequestError extends Error {
  constructor(readonly graphQLError: RawGraphQLError) {
    super(graphQLError.message);
  }
}
