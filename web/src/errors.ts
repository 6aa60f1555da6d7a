// Turns API failures into messages a person understands, one per contract error code.
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";
import { type ErrorCode, isErrorCode } from "@junggo/events/error-codes";

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

type Message = string | ((e: RawGraphQLError) => string);

/** The server's own words: its messages for these codes already say what happened and what to do. */
const asServerSaid = (e: RawGraphQLError) => e.message;

// One entry for every code the API can answer with (ErrorCode, packages/events/src/error-codes.ts):
// a new code without an entry here does not compile.
const MESSAGES: Record<ErrorCode, Message> = {
  UNAUTHENTICATED: "Your session has expired. Please log in again.",
  FORBIDDEN: "Your account is not allowed to do this.",
  PURCHASE_NOT_RETURNABLE: asServerSaid,
  RETURN_WINDOW_CLOSED: "The 3-day return window for this car has closed.",
  QUOTE_NOT_FOUND: "This quote does not exist or is not yours.",
  QUOTE_EXPIRED: "This quote has expired. Ask for a new quote.",
  QUOTE_ALREADY_SUBMITTED: "You already offered this car on this quote.",
  VIN_ALREADY_OFFERED: "A sell request for this VIN is already in progress.",
  VIN_IN_STOCK: "A car with this VIN is already in our stock.",
  SELL_REQUEST_NOT_FOUND: "This sell request does not exist or is not yours.",
  SELL_REQUEST_NOT_PENDING: "This sell request was already decided.",
  SELL_REQUEST_NOT_CANCELLABLE: asServerSaid,
  SELL_REQUEST_TRANSITION_REFUSED: asServerSaid,
  REPAIR_ORDER_NOT_FOUND: "This repair order does not exist.",
  REPAIR_ORDER_NOT_OPEN: "This repair order is already completed.",
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
  // Protocol and limits (the gateway), and rarer business codes: the server's words.
  BAD_REQUEST: asServerSaid,
  GRAPHQL_PARSE_FAILED: asServerSaid,
  GRAPHQL_VALIDATION_FAILED: asServerSaid,
  PERSISTED_QUERY_NOT_FOUND: asServerSaid,
  PERSISTED_QUERY_NOT_SUPPORTED: asServerSaid,
  OPERATION_RESOLUTION_FAILURE: asServerSaid,
  PAYLOAD_TOO_LARGE: asServerSaid,
  QUERY_TOO_LARGE: asServerSaid,
  QUERY_TOO_COMPLEX: asServerSaid,
  RATE_LIMITED: asServerSaid,
  OVERLOADED: asServerSaid,
  SERVICE_UNAVAILABLE: asServerSaid,
  SUBGRAPH_UNAVAILABLE: asServerSaid,
  SUBSCRIPTION_OVERFLOW: asServerSaid,
  AUTH_UNAVAILABLE: asServerSaid,
  LOGIN_THROTTLED: asServerSaid,
  VEHICLE_NOT_HELD: asServerSaid,
  VEHICLE_NOT_RESERVED: asServerSaid,
  VEHICLE_HELD_BY_OTHER_PURCHASE: asServerSaid,
  VEHICLE_TRANSITION_REFUSED: asServerSaid,
  PURCHASE_TRANSITION_REFUSED: asServerSaid,
  PAYMENT_TRANSITION_REFUSED: asServerSaid,
  CONSIGNMENT_INVALID_ETA: asServerSaid,
  CONSIGNMENT_ESCALATION_LIMIT: asServerSaid,
  NOTIFICATION_NOT_FOUND: asServerSaid,
  DEAD_LETTER_NOT_FOUND: asServerSaid,
  CONTEXT_UNAVAILABLE: asServerSaid,
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
  const text = isErrorCode(code) ? MESSAGES[code] : undefined;
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
