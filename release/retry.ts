/**
 * Time and retries for the release CLI. The SDK client already retries throttling and 5xx
 * (adaptive mode); this is the second layer around each call and poll, bounded by the command's
 * deadline, so a throttling burst longer than the SDK's attempts does not fail a release.
 */

/** Injectable time, so tests run a 15-minute rollout in milliseconds. */
export interface Clock {
  now(): number;
  /** Resolves after `milliseconds`, or as soon as `signal` aborts. */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // The timer is cleared on abort: a pending one would keep a cancelled command's process alive
  // until it fired (up to a poll interval, 15 s), past the grace period a CI runner gives after SIGTERM.
  sleep: (milliseconds, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, milliseconds);
      signal?.addEventListener("abort", done, { once: true });
    }),
};

const TRANSIENT_ERRORS = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServerException",
  "ServiceUnavailable",
  "InternalFailure",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);
const TRANSIENT_NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);

/** Throttling, server-side and network errors: worth another try. Anything else (AccessDenied, validation) is final. */
export function isTransient(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $metadata } = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode ?? 0;
  return TRANSIENT_ERRORS.has(name ?? "") || TRANSIENT_NETWORK_CODES.has(code ?? "") || status === 429 || status >= 500;
}

/** `ThrottlingException`, or the network error's code (`ECONNRESET`) where its name is only `Error`. */
export function errorLabel(error: unknown): string {
  const { name, code } = error as { name?: string; code?: string };
  return code ?? name ?? String(error);
}

/** Exponential backoff with a cap: 1, 2, 4, 8, 15, 15 … seconds. */
export function backoffMilliseconds(attempt: number, capMilliseconds = 15_000): number {
  return Math.min(capMilliseconds, 1000 * 2 ** (attempt - 1));
}

export interface RetryOptions {
  readonly clock: Clock;
  /** No retry is started that would end after this time (epoch ms). */
  readonly deadline: number;
  /** Told about every retry, e.g. `DescribeServices: ThrottlingException, retrying in 2 s`. */
  readonly onRetry: (message: string) => void;
  /** @default 8 */
  readonly maxAttempts?: number;
  /**
   * A cancel (SIGINT/SIGTERM) ends the wait before the next attempt: the last error is thrown at once.
   * @default - the retries run to the end
   */
  readonly signal?: AbortSignal;
}

/** Runs `call`, retrying transient errors with backoff until `maxAttempts` or the deadline. */
export async function withRetry<T>(what: string, call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const delay = backoffMilliseconds(attempt);
      if (!isTransient(error) || attempt >= maxAttempts || options.clock.now() + delay > options.deadline) throw error;
      if (options.signal?.aborted) throw error;
      options.onRetry(`${what}: ${errorLabel(error)}, retrying in ${delay / 1000} s`);
      await options.clock.sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
