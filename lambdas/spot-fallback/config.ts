import type { FallbackSettings } from "./controller";

/** Which capacity the fallback moves, and where it reads and writes. */
export type ModeConfig =
  | {
      readonly mode: "capacity-providers";
      /** The Spot ASG: its on-demand base is the lever. */
      readonly spotGroupName: string;
      /** The configured on-demand base of the Spot ASG: the floor the fallback adds to. */
      readonly baseCapacity: number;
      /** The configured share of on-demand instances above the base, 0-99. */
      readonly onDemandPercentageAboveBase: number;
    }
  | {
      readonly mode: "spot-fleet";
      readonly spotFleetRequestId: string;
      /** The on-demand ASG: its desired capacity is the lever (nothing else scales it). */
      readonly onDemandGroupName: string;
      /** Its configured size: the floor the fallback adds to. */
      readonly onDemandFloor: number;
      /** Fleet capacity units one on-demand instance stands in for. */
      readonly onDemandInstanceWeight: number;
    };

export interface FallbackConfig {
  readonly clusterName: string;
  /** SSM parameter holding the controller's state. */
  readonly stateParameterName: string;
  readonly capacity: ModeConfig;
  readonly settings: FallbackSettings;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Record<string, string | undefined>;

/** Read per invocation (not at import), so tests and cold starts see the current environment. */
export function loadConfig(env: Env = process.env): FallbackConfig {
  const mode = required(env, "MODE");
  const capacity: ModeConfig =
    mode === "capacity-providers"
      ? {
          mode,
          spotGroupName: required(env, "SPOT_GROUP_NAME"),
          baseCapacity: integer(env, "BASE_CAPACITY", 0, 1000),
          onDemandPercentageAboveBase: integer(env, "ON_DEMAND_PERCENTAGE_ABOVE_BASE", 0, 99),
        }
      : mode === "spot-fleet"
        ? {
            mode,
            spotFleetRequestId: required(env, "SPOT_FLEET_REQUEST_ID"),
            onDemandGroupName: required(env, "ON_DEMAND_GROUP_NAME"),
            onDemandFloor: integer(env, "ON_DEMAND_FLOOR", 0, 1000),
            onDemandInstanceWeight: integer(env, "ON_DEMAND_INSTANCE_WEIGHT", 1, 1000),
          }
        : invalid("MODE", mode, "capacity-providers or spot-fleet");
  return {
    clusterName: required(env, "CLUSTER_NAME"),
    stateParameterName: required(env, "STATE_PARAMETER_NAME"),
    capacity,
    settings: {
      sustainSeconds: integer(env, "SUSTAIN_SECONDS", 0, 86_400),
      errorWindowSeconds: integer(env, "ERROR_WINDOW_SECONDS", 60, 86_400),
      settleSeconds: integer(env, "SETTLE_SECONDS", 0, 86_400),
      maxAddedInstances: integer(env, "MAX_ADDED_INSTANCES", 0, 1000),
      recoveryHoldSeconds: integer(env, "RECOVERY_HOLD_SECONDS", 0, 86_400),
      maxRecoveryHoldSeconds: integer(env, "MAX_RECOVERY_HOLD_SECONDS", 0, 86_400),
      recoveryStepInstances: integer(env, "RECOVERY_STEP_INSTANCES", 1, 1000),
      recoveryStepIntervalSeconds: integer(env, "RECOVERY_STEP_INTERVAL_SECONDS", 0, 86_400),
    },
  };
}

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`Missing required environment variable ${name}`);
  return value;
}

function integer(env: Env, name: string, min: number, max: number): number {
  const text = required(env, name);
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) invalid(name, text, `an integer from ${min} to ${max}`);
  return value;
}

function invalid(name: string, value: string, expected: string): never {
  throw new ConfigError(`${name} is "${value}": expected ${expected}`);
}
