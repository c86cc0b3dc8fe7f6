/** One JSON object per line so CloudWatch Logs Insights can filter on fields. */
type Level = "info" | "warn" | "error";

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level, message, ...fields }));
}

export function errorFields(err: unknown): { errorName: string; errorMessage: string } {
  return err instanceof Error
    ? { errorName: err.name, errorMessage: err.message }
    : { errorName: "NonError", errorMessage: String(err) };
}
