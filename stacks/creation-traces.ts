const SKIPPING = Symbol.for("platform/skips-creation-traces");

/**
 * cdktf records a creation stack trace for every token it makes (every attribute reference) and
 * constructs one for every annotation: each raises `Error.stackTraceLimit` to
 * `Number.MAX_SAFE_INTEGER` and calls `Error.captureStackTrace`, a fifth of a synth at 10k
 * resources. They are only read when a token fails to resolve. After this call those captures
 * record nothing (cdktf and constructs treat an empty trace as none); every other error keeps its
 * stack. Idempotent.
 */
export function skipCreationTraces(): void {
  const errorConstructor = Error as ErrorConstructor & { [SKIPPING]?: true };
  if (errorConstructor[SKIPPING]) return;
  const capture = Error.captureStackTrace.bind(Error);
  errorConstructor.captureStackTrace = (...args: Parameters<ErrorConstructor["captureStackTrace"]>) => {
    if (Error.stackTraceLimit !== Number.MAX_SAFE_INTEGER) capture(...args);
  };
  errorConstructor[SKIPPING] = true;
}
