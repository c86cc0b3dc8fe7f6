import { describe, expect, test, vi } from "vitest";
import { isTransient, systemClock, withRetry } from "../../release/retry";
import { awsError, fakeClock } from "./support";

// GIVEN an error WHEN classified THEN only throttling, server and network failures are retried.
describe("what counts as transient", () => {
  test.each<[string, unknown, boolean]>([
    ["undefined", undefined, false],
    ["null", null, false],
    ["a string", "ThrottlingException", false],
    ["a number", 503, false],
    ...(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ServerException", "ServiceUnavailable", "InternalFailure", "RequestTimeout", "RequestTimeoutException", "TimeoutError"].map(
      (name): [string, unknown, boolean] => [`named ${name} (HTTP 400)`, awsError(name, "x", 400), true],
    )),
    ...(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"].map((code): [string, unknown, boolean] => [`network ${code}`, Object.assign(new Error("net"), { code }), true])),
    ["a nameless, codeless object", {}, false],
    ["an unknown code", Object.assign(new Error("x"), { code: "ENOENT" }), false],
    ["HTTP 429 under an unknown name", awsError("SlowDown", "x", 429), true],
    ["HTTP 428", awsError("Precondition", "x", 428), false],
    ["HTTP 499", awsError("ClientClosed", "x", 499), false],
    ["HTTP 500 under an unknown name", awsError("Oops", "x", 500), true],
    ["HTTP 599", awsError("Oops", "x", 599), true],
  ])("%s → %s", (_name, error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });
});

describe("the deadline", () => {
  // GIVEN a retry whose sleep ends exactly at the deadline WHEN it fails THEN it is still taken (the deadline is inclusive).
  test.each([
    [1000, 2],
    [999, 1],
  ])("deadline %i ms after the first failure: %i calls", async (deadline, calls) => {
    const clock = fakeClock(0);
    const call = vi.fn().mockRejectedValue(awsError("ThrottlingException", "Rate exceeded"));
    const messages: string[] = [];
    await expect(withRetry("DescribeServices", call, { clock, deadline, onRetry: (message) => messages.push(message) })).rejects.toThrow("Rate exceeded");
    expect(call).toHaveBeenCalledTimes(calls);
    expect(messages).toEqual(calls === 2 ? ["DescribeServices: ThrottlingException, retrying in 1 s"] : []);
  });
});

describe("the system clock", () => {
  test("now is the wall clock, and sleep waits", async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    expect(systemClock.now()).toBeLessThanOrEqual(Date.now());
    const start = performance.now();
    await expect(systemClock.sleep(20)).resolves.toBeUndefined();
    expect(performance.now() - start).toBeGreaterThanOrEqual(15);
  });

  test.each([
    ["aborted during the sleep", (cancel: AbortController) => setTimeout(() => cancel.abort("SIGTERM"), 10)],
    ["aborted before it", (cancel: AbortController) => cancel.abort("SIGTERM")],
  ])("a sleep %s ends at once and leaves no timer behind to keep the process alive", async (_, abort) => {
    // GIVEN a long sleep, and the timers made and cleared from here on
    const made = vi.spyOn(globalThis, "setTimeout");
    const cleared = vi.spyOn(globalThis, "clearTimeout");
    const cancel = new AbortController();
    const start = performance.now();

    try {
      // WHEN the command is cancelled
      abort(cancel);
      await systemClock.sleep(60_000, cancel.signal);

      // THEN every 60 s timer the sleep made was cleared
      const sleepTimers = made.mock.calls.flatMap((call, index) => (call[1] === 60_000 ? [made.mock.results[index].value] : []));
      expect(sleepTimers.every((timer) => cleared.mock.calls.some(([handle]) => handle === timer))).toBe(true);
      expect(performance.now() - start).toBeLessThan(1_000);
    } finally {
      made.mockRestore();
      cleared.mockRestore();
    }
  });
});
