import { vi } from "vitest";

/**
 * The handlers write their CloudWatch metrics to stdout as EMF lines (as Lambda wants them, not via console.log).
 * Tests of a whole handler that do not check its metrics leave them out of the test report; other output passes.
 * Restored by vi.restoreAllMocks().
 */
export function muteMetricLines(): void {
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) =>
    String(chunk).startsWith('{"_aws":') ? true : write(chunk, ...rest)) as typeof process.stdout.write);
}
