import { AccessDeniedException, ClientException, ServerException } from "@aws-sdk/client-ecs";
import { describe, expect, test, vi } from "vitest";
import { backoffMilliseconds, isTransient, withRetry } from "../../release/retry";
import { awsError, fakeClock } from "./support";

describe("retries", () => {
  test.each<[string, unknown, boolean]>([
    ["ThrottlingException (not a modeled ECS class: by name)", awsError("ThrottlingException", "Rate exceeded"), true],
    ["TooManyRequestsException", awsError("TooManyRequestsException", "slow down"), true],
    ["ServerException", new ServerException({ message: "internal", $metadata: { httpStatusCode: 500 } }), true],
    ["any 503", awsError("ServiceUnavailableException", "busy", 503), true],
    ["a reset connection", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), true],
    ["AccessDeniedException", new AccessDeniedException({ message: "denied", $metadata: { httpStatusCode: 400 } }), false],
    ["ClientException", new ClientException({ message: "Unable to describe task definition.", $metadata: { httpStatusCode: 400 } }), false],
    ["LimitExceededException (a real limit, retried in vain)", awsError("LimitExceededException", "too many revisions"), false],
    ["a plain error", new Error("bug"), false],
  ])("%s transient: %s", (_name, error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });

  test("backs off 1, 2, 4, 8 s, then 15 s", () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffMilliseconds(attempt))).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000]);
  });

  test("gives up at maxAttempts, and never sleeps past the deadline", async () => {
    const clock = fakeClock(0);
    const call = vi.fn().mockRejectedValue(awsError("ThrottlingException", "Rate exceeded"));
    await expect(withRetry("DescribeServices", call, { clock, deadline: 1_000_000, onRetry: () => undefined, maxAttempts: 3 })).rejects.toThrow("Rate exceeded");
    expect(call).toHaveBeenCalledTimes(3);
    expect(clock.sleeps).toEqual([1000, 2000]);

    const shortClock = fakeClock(0);
    const again = vi.fn().mockRejectedValue(awsError("ThrottlingException", "Rate exceeded"));
    await expect(withRetry("DescribeServices", again, { clock: shortClock, deadline: 3500, onRetry: () => undefined })).rejects.toThrow("Rate exceeded");
    expect(shortClock.sleeps).toEqual([1000, 2000]);
  });

  test("a cancel during the backoff throws the last error at once, without another attempt", async () => {
    const cancel = new AbortController();
    const clock = fakeClock(0);
    const sleep = clock.sleep;
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      cancel.abort("SIGTERM");
    };
    const call = vi.fn().mockRejectedValue(awsError("ThrottlingException", "Rate exceeded"));
    await expect(withRetry("UpdateService", call, { clock, deadline: 1_000_000, onRetry: () => undefined, signal: cancel.signal })).rejects.toThrow("Rate exceeded");
    expect(call).toHaveBeenCalledTimes(1);
    expect(clock.sleeps).toEqual([1000]);
  });

  test("a final error is thrown at once", async () => {
    const clock = fakeClock(0);
    const call = vi.fn().mockRejectedValue(new AccessDeniedException({ message: "denied", $metadata: {} }));
    await expect(withRetry("UpdateService", call, { clock, deadline: 1_000_000, onRetry: () => undefined })).rejects.toThrow("denied");
    expect(call).toHaveBeenCalledTimes(1);
    expect(clock.sleeps).toEqual([]);
  });
});
