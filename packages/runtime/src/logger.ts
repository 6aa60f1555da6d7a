// One JSON line per log record: greppable locally, parseable by any log shipper.
import { activeTraceIds } from "./tracing.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(service: string, base: Record<string, unknown> = {}): Logger {
  const min = ORDER[(process.env.LOG_LEVEL as LogLevel) ?? "info"] ?? ORDER.info;
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const rec: Record<string, unknown> = {
      t: new Date().toISOString(),
      level,
      service,
      msg,
      // traceId and spanId of the active span, when tracing is on: the line joins its trace.
      ...activeTraceIds(),
      ...base,
      ...fields,
    };
    if (rec.err instanceof Error) rec.err = { message: rec.err.message, stack: rec.err.stack };
    (level === "error" || level === "warn" ? process.stderr : process.stdout).write(
      `${JSON.stringify(rec)}\n`,
    );
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (f) => createLogger(service, { ...base, ...f }),
  };
}
