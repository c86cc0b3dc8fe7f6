import { afterEach, describe, expect, test, vi } from "vitest";
import { emptySummary, type DrainSummary } from "../../lambdas/spot-drainer/drain";
import { drainMetrics, publishMetrics, type DrainResult } from "../../lambdas/spot-drainer/emf";
import { DRAINER_METRICS } from "../../lambdas/spot-drainer/metrics";

const CLUSTER = "acme-api-production";
const STARTED = Date.parse("2025-11-23T10:00:02Z");
const timing = { startedAt: STARTED, finishedAt: STARTED + 42_500 };
const drained = (extra: Partial<DrainResult> = {}): DrainResult => ({
  ...emptySummary("i-1234567890abcdef0"),
  deadline: STARTED + 108_000,
  finishedAt: STARTED + 42_500,
  stoppedTasks: ["t1", "t2"],
  deregisteredTargets: 3,
  drainedTargets: 3,
  ...extra,
});

/** The rules of the EMF specification a document must follow for CloudWatch to extract its metrics. */
function expectValidEmf(doc: Record<string, unknown>): void {
  const aws = doc._aws as { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  expect(Number.isInteger(aws.Timestamp)).toBe(true);
  expect(aws.CloudWatchMetrics).toHaveLength(1);
  for (const directive of aws.CloudWatchMetrics) {
    expect(directive.Namespace).toBe(DRAINER_METRICS.namespace);
    expect(directive.Metrics.length).toBeLessThanOrEqual(100);
    for (const set of directive.Dimensions) for (const key of set) expect(typeof doc[key]).toBe("string");
    for (const metric of directive.Metrics) {
      expect(typeof doc[metric.Name]).toBe("number");
      expect(["Count", "Seconds"]).toContain(metric.Unit);
    }
  }
}

describe("drainer metrics in embedded metric format", () => {
  test("GIVEN a finished drain WHEN its metrics are built THEN one document carries every contract metric under the ClusterName dimension", () => {
    const doc = drainMetrics(drained(), CLUSTER, timing);

    expect(doc).toEqual({
      _aws: {
        Timestamp: timing.finishedAt,
        CloudWatchMetrics: [
          {
            Namespace: "EcsSpotPlatform/Drainer",
            Dimensions: [["ClusterName"]],
            Metrics: [
              { Name: "EventsHandled", Unit: "Count" },
              { Name: "DrainDurationSeconds", Unit: "Seconds" },
              { Name: "TasksStopped", Unit: "Count" },
              { Name: "TargetsStillInUse", Unit: "Count" },
              { Name: "DrainsMissedDeadline", Unit: "Count" },
            ],
          },
        ],
      },
      ClusterName: CLUSTER,
      EventsHandled: 1,
      DrainDurationSeconds: 42.5,
      TasksStopped: 2,
      TargetsStillInUse: 0,
      DrainsMissedDeadline: 0,
    });
    expectValidEmf(doc as Record<string, unknown>);
  });

  test.each<[string, number, Partial<DrainSummary>]>([
    ["finished before its deadline with every target drained", 0, {}],
    ["finished exactly at its deadline", 0, { finishedAt: STARTED + 108_000 }],
    ["recorded no end (nothing drained)", 0, { finishedAt: undefined }],
    ["had no deadline", 0, { deadline: undefined, finishedAt: STARTED + 500_000 }],
    ["left targets still in use at the stop point", 1, { targetsStillInUse: 2, drainedTargets: 1 }],
    ["finished after its deadline", 1, { finishedAt: STARTED + 108_001 }],
    ["came after the reclaim (stale)", 1, { skipped: "stale-event", stoppedTasks: [] }],
    ["refused to terminate a rebalanced instance still in a target group (it keeps serving)", 0, { targetsStillInUse: 1, refused: ["targets-in-use"] } as Partial<DrainSummary>],
  ])("GIVEN a drain that %s WHEN its metrics are built THEN DrainsMissedDeadline is %i", (_case, missed, extra) => {
    expect(drainMetrics(drained(extra), CLUSTER, timing)).toMatchObject({ DrainsMissedDeadline: missed });
  });

  test.each(["not-in-cluster", "not-our-hook", "rebalance-disabled", "unsupported-event", "container-instance-missing"] as const)(
    "GIVEN an event skipped as %s (not this drainer's to drain) WHEN its metrics are built THEN there are none",
    (skipped) => {
      expect(drainMetrics(drained({ skipped }), CLUSTER, timing)).toBeUndefined();
    },
  );

  test.each([
    [[], 0],
    [["no-room"], 1],
  ])("GIVEN a rebalance drain refused for %j WHEN its metrics are built THEN RebalanceTerminationsRefused is %i", (refused, value) => {
    const doc = drainMetrics(drained({ refused }), CLUSTER, timing) as Record<string, unknown>;

    expect(doc.RebalanceTerminationsRefused).toBe(value);
    expectValidEmf(doc);
  });

  test("GIVEN a document WHEN published THEN it is one JSON line on stdout, no API call", () => {
    const write = vi.fn<(line: string) => void>();

    publishMetrics(drainMetrics(drained(), CLUSTER, timing), write);
    publishMetrics(undefined, write);

    expect(write).toHaveBeenCalledTimes(1);
    const [line] = write.mock.calls[0];
    expect(line.endsWith("\n")).toBe(true);
    expect(line.trimEnd()).not.toContain("\n");
    expect(JSON.parse(line)).toMatchObject({ ClusterName: CLUSTER, EventsHandled: 1 });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});
