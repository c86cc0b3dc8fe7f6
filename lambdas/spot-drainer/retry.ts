/** Bounded retry for throttling/transient AWS errors that never runs past a deadline. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface RetryOptions extends Clock {
  /** Epoch ms; no retry is scheduled if its backoff would end after this. */
  deadline: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected so tests are deterministic; defaults to Math.random. */
  random?: () => number;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  onGiveUp?: (err: unknown, attempt: number) => void;
}

const RETRYABLE_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServerException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "InternalError",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function isRetryable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as SdkErrorShape;
  if (e.$retryable) return true;
  if (e.$fault === "server") return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number" && (status === 429 || status >= 500)) return true;
  return (typeof e.name === "string" && RETRYABLE_NAMES.has(e.name)) || (typeof e.code === "string" && RETRYABLE_NAMES.has(e.code));
}

/**
 * Runs fn; on a retryable error sleeps with exponential backoff and full jitter, then tries again.
 * The first attempt always runs; the last error is rethrown when it is not retryable or the next
 * attempt could not start before the deadline.
 */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const { deadline, now, sleep, baseDelayMs = 200, maxDelayMs = 5_000, random = Math.random } = opts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      // Full jitter spreads retries of many concurrent drainers (Spot storms hit several instances at once).
      const delayMs = Math.max(1, Math.round(cap * random()));
      if (now() + delayMs >= deadline) {
        opts.onGiveUp?.(err, attempt);
        throw err;
      }
      opts.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
