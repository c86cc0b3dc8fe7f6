/**
 * The ECS deployment lifecycle hook contract (AWS: "Lifecycle hooks for Amazon ECS service deployments"): what
 * ECS sends a hook Lambda at each stage it is registered for, and what the hook answers. Documented for users
 * in docs/progressive-delivery.md.
 */

/** Traffic weights by service revision ARN (0-100). */
export type TrafficWeights = Record<string, number>;

/** One call of a hook. */
export interface LifecycleHookEvent {
  readonly executionId: string;
  /** The stage the call is for, e.g. `POST_TEST_TRAFFIC_SHIFT`. */
  readonly lifecycleStage: string;
  /** The service deployment's ARN. */
  readonly resourceArn: string;
  readonly executionDetails?: {
    readonly serviceArn?: string;
    /** The revision being deployed (green). */
    readonly targetServiceRevisionArn?: string;
    readonly testTrafficWeights?: TrafficWeights;
    readonly productionTrafficWeights?: TrafficWeights;
  };
  /** The hook's `hook_details` from the service definition, merged with what earlier calls of this hook returned. */
  readonly hookDetails?: Record<string, unknown>;
}

/**
 * `SUCCEEDED` lets the deployment go on; `FAILED` (or no valid answer, or an error) rolls it back;
 * `IN_PROGRESS` makes ECS call again after `callBackDelay` seconds (default 30) with `hookDetails` merged in.
 */
export interface LifecycleHookResult {
  readonly hookStatus: "SUCCEEDED" | "FAILED" | "IN_PROGRESS";
  readonly callBackDelay?: number;
  readonly hookDetails?: Record<string, unknown>;
}
