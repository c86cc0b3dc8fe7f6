/**
 * The drainer's metrics contract: what it publishes through CloudWatch embedded metric format (one log line,
 * no PutMetricData call). The dashboard and the missed-deadline alarm import these names, so nothing is typed twice.
 */
export const DRAINER_METRICS = {
  namespace: "EcsSpotPlatform/Drainer",
  /** Every datum carries this one dimension; its value is the ECS cluster name. */
  dimension: "ClusterName",
  names: {
    /** One per interruption, rebalance or lifecycle event handled (Count). */
    eventsHandled: "EventsHandled",
    /** Seconds from the start of the drain to its end (Seconds). */
    drainDuration: "DrainDurationSeconds",
    /** Tasks the drainer stopped itself before the deadline (Count). */
    tasksStopped: "TasksStopped",
    /** Targets still in use when the drain ended (Count). */
    targetsStillInUse: "TargetsStillInUse",
    /** 1 when a drain did not finish before its deadline (Count); the missed-deadline alarm watches it. */
    drainsMissedDeadline: "DrainsMissedDeadline",
    /**
     * 1 when a rebalance drain did not terminate its instance because that was not safe (work not moved, tasks
     * still stopping, targets still in use, no room in the cluster) and returned it to ACTIVE (Count).
     */
    rebalanceTerminationsRefused: "RebalanceTerminationsRefused",
  },
} as const;
