/** Runtime configuration, read from the Lambda environment on each invocation (never at import time). */
export interface DrainerConfig {
  clusterName: string;
  /** Safety margin subtracted from the 2-minute Spot notice. */
  deadlineMarginSeconds: number;
  /** When non-empty, only these target groups are touched. */
  targetGroupArns: string[];
  drainOnRebalance: boolean;
  pollIntervalSeconds: number;
  /** Time the tasks need between SIGTERM and SIGKILL; StopTask is sent this long before the deadline. */
  stopTimeoutSeconds: number;
}

/** The ASG termination lifecycle hooks this function completes (see lifecycle.ts). */
export interface LifecycleConfig {
  /** Lifecycle actions of any other hook are ignored. */
  hookNames: string[];
  /** The hooks' heartbeat timeout: the action must be completed within this of the event time. */
  heartbeatSeconds: number;
}

type Env = Record<string, string | undefined>;

export function readConfig(env: Env = process.env): DrainerConfig {
  const clusterName = env.CLUSTER_NAME?.trim();
  if (!clusterName) {
    throw new Error("Missing required environment variable CLUSTER_NAME");
  }
  return {
    clusterName,
    deadlineMarginSeconds: readSeconds(env, "DEADLINE_MARGIN_SECONDS", 10),
    targetGroupArns: (env.TARGET_GROUP_ARNS ?? "")
      .split(",")
      .map((arn) => arn.trim())
      .filter((arn) => arn.length > 0),
    drainOnRebalance: readBoolean(env, "DRAIN_ON_REBALANCE", false),
    pollIntervalSeconds: readSeconds(env, "POLL_INTERVAL_SECONDS", 5, { positive: true }),
    stopTimeoutSeconds: readSeconds(env, "STOP_TIMEOUT_SECONDS", 30),
  };
}

/** Read only for lifecycle events, so Spot-only deployments need none of these variables. */
export function readLifecycleConfig(env: Env = process.env): LifecycleConfig {
  return {
    hookNames: (env.LIFECYCLE_HOOK_NAMES ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
    heartbeatSeconds: readSeconds(env, "LIFECYCLE_HEARTBEAT_SECONDS", 600, { positive: true }),
  };
}

/** What follows a drain on a rebalance recommendation (see rebalance.ts). */
export interface RebalanceConfig {
  /** Terminate the drained instance: its Spot Fleet launched a replacement and no longer counts it. */
  terminateAfterDrain: boolean;
}

/** Read only for rebalance recommendations. */
export function readRebalanceConfig(env: Env = process.env): RebalanceConfig {
  return { terminateAfterDrain: readBoolean(env, "TERMINATE_AFTER_REBALANCE_DRAIN", false) };
}

function readSeconds(env: Env, name: string, fallback: number, opts: { positive?: boolean } = {}): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  const valid = Number.isFinite(value) && (opts.positive ? value > 0 : value >= 0);
  if (!valid) {
    throw new Error(`Environment variable ${name} must be a ${opts.positive ? "positive" : "non-negative"} number of seconds, got "${raw}"`);
  }
  return value;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new Error(`Environment variable ${name} must be "true" or "false", got "${env[name]}"`);
}
