/** Structured logging: one JSON object per line so CloudWatch Logs Insights can filter on fields. */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(context: LogFields = {}): Logger {
  const write = (level: LogLevel) => (msg: string, fields: LogFields = {}) =>
    console.log(JSON.stringify({ level, msg, ...context, ...fields }));
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (fields) => createLogger({ ...context, ...fields }),
  };
}

/** Error details safe to log (SDK errors carry name, message and $metadata). */
export function describeError(err: unknown): LogFields {
  if (err instanceof Error) {
    return { errorName: err.name, errorMessage: err.message };
  }
  return { errorMessage: String(err) };
}
