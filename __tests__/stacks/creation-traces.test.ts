import { describe, expect, test } from "vitest";

// __tests__/setup.ts calls skipCreationTraces (stacks/creation-traces.ts) for every test file, as main.ts does for a synth.
describe("skipCreationTraces (called by the test setup)", () => {
  test("captures asked for with an unlimited stackTraceLimit (cdktf's and constructs' creation traces) record nothing", () => {
    // GIVEN / WHEN a capture the way cdktf makes one
    const target = { stack: "" };
    const previous = Error.stackTraceLimit;
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    try {
      Error.captureStackTrace(target);
    } finally {
      Error.stackTraceLimit = previous;
    }

    // THEN
    expect(target.stack).toBe("");
  });

  test.each([
    ["a thrown error", () => new Error("boom").stack],
    [
      "a capture at the usual limit",
      () => {
        const target: { stack?: string } = {};
        Error.captureStackTrace(target);
        return target.stack;
      },
    ],
  ])("%s keeps its stack", (_, stackOf) => {
    expect(stackOf()).toMatch(/creation-traces\.test\.ts/);
  });
});
