export * from "./nats.ts";
export * from "./ports.ts";
export * from "./postgres.ts";
export * from "./process.ts";
export * from "./stack.ts";
export * from "./supervisor.ts";
