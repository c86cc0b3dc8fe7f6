/**
 * The drainer's metrics as one CloudWatch embedded metric format (EMF) document per handled event: CloudWatch
 * Logs extracts the metrics from the log line, so publishing them costs no API call and no extra permission.
 */
import type { DrainSummary } from "./drain";
import { DRAINER_METRICS } from "./metrics";

const { namespace, dimension, names } = DRAINER_METRICS;

/** What a handled event ended with; `refused` only on rebalance drains. */
export type DrainResult = DrainSummary & { refused?: readonly string[] };

/** The EMF document of one handled event, or undefined for events that were not this drainer's to drain. */
export function drainMetrics(
  result: DrainResult,
  clusterName: string,
  timing: { startedAt: number; finishedAt: number },
): Record<string, unknown> | undefined {
  // A stale event is an interruption that came too late to drain: handled, and its deadline missed.
  const stale = result.skipped === "stale-event";
  if (result.skipped !== undefined && !stale) return undefined;
  // Without an end or a deadline there is nothing to be late for.
  const lateFinish = (result.finishedAt ?? -Infinity) > (result.deadline ?? Infinity);
  const values: Array<[name: string, unit: "Count" | "Seconds", value: number]> = [
    [names.eventsHandled, "Count", 1],
    [names.drainDuration, "Seconds", (timing.finishedAt - timing.startedAt) / 1000],
    [names.tasksStopped, "Count", result.stoppedTasks.length],
    [names.targetsStillInUse, "Count", result.targetsStillInUse],
    // A refused rebalance drain leaves its instance serving: targets still in use there cut nothing off.
    [names.drainsMissedDeadline, "Count", stale || lateFinish || (result.targetsStillInUse > 0 && result.refused === undefined) ? 1 : 0],
    ...(result.refused !== undefined ? [[names.rebalanceTerminationsRefused, "Count", result.refused.length > 0 ? 1 : 0] as [string, "Count", number]] : []),
  ];
  return {
    _aws: {
      Timestamp: timing.finishedAt,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[dimension]], Metrics: values.map(([Name, Unit]) => ({ Name, Unit })) }],
    },
    [dimension]: clusterName,
    ...Object.fromEntries(values.map(([name, , value]) => [name, value])),
  };
}

/**
 * Writes the document as one line to stdout. Not console.log: with Lambda's JSON log format that wraps the
 * line in a `message` field, where CloudWatch no longer finds the EMF document.
 */
export function publishMetrics(doc: Record<string, unknown> | undefined, write: (line: string) => void = (line) => process.stdout.write(line)): void {
  if (doc !== undefined) write(`${JSON.stringify(doc)}\n`);
}
