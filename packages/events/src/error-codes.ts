// Every error code the API can answer with, in one place: the servers throw only these (DomainError,
// GraphQLError extensions, internal HTTP answers) and the web client keeps a message for each one
// (web/src/errors.ts, a Record over ErrorCode: a code without a message does not compile).
// No imports: the web client bundles this file on its own.

/** `extensions.code` of the public GraphQL API (gateway and subgraphs). */
export const ERROR_CODES = [
  // Requests and protocol (the gateway, Apollo Server)
  "BAD_REQUEST",
  "BAD_USER_INPUT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "PAYLOAD_TOO_LARGE",
  "QUERY_TOO_LARGE",
  "QUERY_TOO_COMPLEX",
  "RATE_LIMITED",
  "OVERLOADED",
  "SERVICE_UNAVAILABLE",
  "SUBGRAPH_UNAVAILABLE",
  "SUBSCRIPTION_OVERFLOW",
  "INTERNAL_SERVER_ERROR",
  // Who may do what
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "AUTH_UNAVAILABLE",
  // identity
  "INVALID_CREDENTIALS",
  "LOGIN_THROTTLED",
  "EMAIL_TAKEN",
  // stock
  "DUPLICATE_VIN",
  "VEHICLE_NOT_FOUND",
  "VEHICLE_NOT_AVAILABLE",
  "VEHICLE_NOT_HELD",
  "VEHICLE_NOT_RESERVED",
  "VEHICLE_HELD_BY_OTHER_PURCHASE",
  "VEHICLE_TRANSITION_REFUSED",
  // purchase
  "PURCHASE_NOT_FOUND",
  "PURCHASE_NOT_CANCELLABLE",
  "PURCHASE_TRANSITION_REFUSED",
  "PURCHASE_NOT_RETURNABLE",
  "RETURN_WINDOW_CLOSED",
  // billing
  "PAYMENT_DECLINED",
  "PAYMENT_UNAVAILABLE",
  "PAYMENT_TRANSITION_REFUSED",
  // consignment
  "CONSIGNMENT_NOT_FOUND",
  "CONSIGNMENT_NOT_OPEN",
  "CONSIGNMENT_INVALID_STATE",
  "CONSIGNMENT_INVALID_ETA",
  "CONSIGNMENT_ESCALATION_LIMIT",
  // acquisition (seller side)
  "QUOTE_NOT_FOUND",
  "QUOTE_EXPIRED",
  "QUOTE_ALREADY_SUBMITTED",
  "VIN_ALREADY_OFFERED",
  "VIN_IN_STOCK",
  "SELL_REQUEST_NOT_FOUND",
  "SELL_REQUEST_NOT_PENDING",
  "SELL_REQUEST_NOT_CANCELLABLE",
  "SELL_REQUEST_TRANSITION_REFUSED",
  // maintenance
  "REPAIR_ORDER_NOT_FOUND",
  "REPAIR_ORDER_NOT_OPEN",
  // notification
  "NOTIFICATION_NOT_FOUND",
  // dashboard (operations)
  "DEAD_LETTER_NOT_FOUND",
  "CONTEXT_UNAVAILABLE",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes only the internal HTTP APIs answer with (billing's charge route), besides the public ones. */
export const INTERNAL_ERROR_CODES = ["PAYMENT_VOIDED", "IDEMPOTENCY_CONFLICT"] as const;

/** `code` of an internal HTTP API's error answer `{ code, message }`. */
export type InternalErrorCode = ErrorCode | (typeof INTERNAL_ERROR_CODES)[number];

export const isErrorCode = (v: unknown): v is ErrorCode =>
  typeof v === "string" && (ERROR_CODES as readonly string[]).includes(v);
