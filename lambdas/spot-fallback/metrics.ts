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
  },
} as const;
