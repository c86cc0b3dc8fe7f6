/**
 * The AMI watch's metrics contract: what it publishes through CloudWatch embedded metric format (one log
 * line per check, no PutMetricData call). The dashboard imports these names, so nothing is typed twice.
 */
export const AMI_WATCH_METRICS = {
  namespace: "EcsSpotPlatform/AmiWatch",
  /** Every datum carries this one dimension; its value is the environment's name. */
  dimension: "Environment",
  names: {
    /** Pools compared with the recommended AMI (Count). */
    poolsChecked: "PoolsChecked",
    /** Pools whose instances or template run an older AMI than the recommended one (Count). */
    poolsOutdated: "PoolsOutdated",
    /** Pools that could not be compared (Count); the invocation then fails too. */
    poolsFailed: "PoolsFailed",
    /** Instance refreshes the watch started (Count). */
    refreshesStarted: "RefreshesStarted",
  },
} as const;

export interface AmiWatchCounts {
  readonly poolsChecked: number;
  readonly poolsOutdated: number;
  readonly poolsFailed: number;
  readonly refreshesStarted: number;
}

/**
 * The EMF document of one check. Written to stdout as is: the function logs in Lambda's JSON format,
 * which would wrap a `console.log` line in a `message` field that CloudWatch no longer reads as EMF.
 */
export function emfDocument(environment: string, counts: AmiWatchCounts, timestamp: number): Record<string, unknown> {
  const names = AMI_WATCH_METRICS.names;
  const keys = Object.keys(names) as (keyof typeof names)[];
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: AMI_WATCH_METRICS.namespace,
          Dimensions: [[AMI_WATCH_METRICS.dimension]],
          Metrics: keys.map((key) => ({ Name: names[key], Unit: "Count" })),
        },
      ],
    },
    [AMI_WATCH_METRICS.dimension]: environment,
    ...Object.fromEntries(keys.map((key) => [names[key], counts[key]])),
  };
}

export function publishMetrics(environment: string, counts: AmiWatchCounts, now: () => number = Date.now): void {
  process.stdout.write(`${JSON.stringify(emfDocument(environment, counts, now()))}\n`);
}
