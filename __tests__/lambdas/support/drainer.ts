import type { MockInstance } from "vitest";
import type { DrainerConfig } from "../../../lambdas/spot-drainer/config";

export { fakeClock } from "../../support/fake-clock";

/** The drainer's settings as the stack passes them, for `clusterName`. */
export function drainerConfig(clusterName: string): DrainerConfig {
  return { clusterName, deadlineMarginSeconds: 10, targetGroupArns: [], drainOnRebalance: false, pollIntervalSeconds: 5, stopTimeoutSeconds: 30 };
}

/** Task ARNs of `cluster`, numbered. */
export const taskArnIn = (cluster: string) => (n: number) => `arn:aws:ecs:us-east-2:123456789012:task/${cluster}/${n.toString(16).padStart(32, "0")}`;

/** The handler's log lines, each parsed as the JSON object it must be. */
export const jsonLogLines = (spy: MockInstance<typeof console.log>): Record<string, unknown>[] => spy.mock.calls.map(([line]) => JSON.parse(String(line)));

interface RecordedCall {
  readonly args: readonly unknown[];
  calledBefore(other: RecordedCall): boolean;
}

/** Command names across mocked clients in the order they were sent. */
export function callOrder(...clients: Array<{ calls(): RecordedCall[] }>): string[] {
  return clients
    .flatMap((client) => client.calls())
    .sort((a, b) => (a.calledBefore(b) ? -1 : 1))
    .map((call) => (call.args[0] as object).constructor.name);
}
