/**
 * The on-demand fallback's metrics contract (embedded metric format). The dashboard imports these names.
 */
export const FALLBACK_METRICS = {
  namespace: "EcsSpotPlatform/SpotFallback",
  /** Every datum carries this one dimension; its value is the ECS cluster name. */
  dimension: "ClusterName",
  names: {
    /** 1 while capacity is held on on-demand because Spot could not be had, else 0 (None). */
    fallbackActive: "FallbackActive",
    /** On-demand instances the fallback currently adds above the configured floor (Count). */
    onDemandInstancesAdded: "OnDemandInstancesAdded",
    /** Instances Spot could not provide this tick, beyond what the fallback already covers (Count). */
    spotShortfall: "SpotShortfallInstances",
    /** 1 when the cost cap kept the fallback below what the shortfall asked for, else 0 (None). */
    fallbackCapped: "FallbackCapped",
  },
} as const;

export interface FallbackDatum {
  readonly fallbackActive: number;
  readonly onDemandInstancesAdded: number;
  readonly spotShortfall: number;
  readonly fallbackCapped: number;
}

const UNITS: Record<keyof FallbackDatum, "None" | "Count"> = {
  fallbackActive: "None",
  onDemandInstancesAdded: "Count",
  spotShortfall: "Count",
  fallbackCapped: "None",
};

/** One embedded-metric-format document: CloudWatch Logs turns it into the metrics, no PutMetricData call. */
export function metricsDocument(clusterName: string, datum: FallbackDatum, timestamp: number): Record<string, unknown> {
  const keys = Object.keys(UNITS) as (keyof FallbackDatum)[];
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: FALLBACK_METRICS.namespace,
          Dimensions: [[FALLBACK_METRICS.dimension]],
          Metrics: keys.map((key) => ({ Name: FALLBACK_METRICS.names[key], Unit: UNITS[key] })),
        },
      ],
    },
    [FALLBACK_METRICS.dimension]: clusterName,
    ...Object.fromEntries(keys.map((key) => [FALLBACK_METRICS.names[key], datum[key]])),
  };
}

/**
 * Written straight to stdout, not through console.log: with Lambda's JSON log format console.log
 * nests the line under `message`, where CloudWatch does not look for `_aws`.
 */
export function publishMetrics(clusterName: string, datum: FallbackDatum, timestamp: number, write = (line: string) => process.stdout.write(line)): void {
  write(`${JSON.stringify(metricsDocument(clusterName, datum, timestamp))}\n`);
}
