/**
 * The `deployment_configuration` block of an ECS service for its strategy. hashicorp/aws 6.25.0 takes the bake
 * times as strings and turns an omitted canary/linear field into 0 rather than the API default, so every
 * field of the chosen strategy is always set. cdktf-free.
 */

/** The traffic-shifting strategies as the ECS API names them. */
export type EcsTrafficShiftingStrategy = "CANARY" | "LINEAR" | "BLUE_GREEN";

export interface TrafficShiftingSettings {
  readonly strategy: EcsTrafficShiftingStrategy;
  /** Minutes the old revision keeps running after all production traffic moved. */
  readonly bakeMinutes: number;
  /** CANARY only. */
  readonly canary?: { readonly percent: number; readonly bakeMinutes: number };
  /** LINEAR only. */
  readonly linear?: { readonly stepPercent: number; readonly stepBakeMinutes: number };
}

/** A lifecycle hook as the service registers it. */
export interface LifecycleHook {
  readonly functionArn: string;
  readonly stages: readonly string[];
  /** Passed to every call as `hookDetails`. @default - none */
  readonly details?: Record<string, unknown>;
}

export interface DeploymentConfigurationBlock {
  strategy: EcsTrafficShiftingStrategy;
  bakeTimeInMinutes: string;
  canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: string };
  linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: string };
  lifecycleHook?: Array<{ hookTargetArn: string; roleArn: string; lifecycleStages: string[]; hookDetails?: string }>;
}

export function deploymentConfiguration(settings: TrafficShiftingSettings, hooks: readonly LifecycleHook[], hookRoleArn: string | undefined): DeploymentConfigurationBlock {
  if (settings.strategy === "CANARY" && settings.canary === undefined) throw new Error("a CANARY deployment needs its canary settings");
  if (settings.strategy === "LINEAR" && settings.linear === undefined) throw new Error("a LINEAR deployment needs its linear settings");
  if (hooks.length > 0 && hookRoleArn === undefined) throw new Error("lifecycle hooks need the role ECS invokes them with");
  return {
    strategy: settings.strategy,
    bakeTimeInMinutes: String(settings.bakeMinutes),
    canaryConfiguration:
      settings.strategy === "CANARY" && settings.canary
        ? { canaryPercent: settings.canary.percent, canaryBakeTimeInMinutes: String(settings.canary.bakeMinutes) }
        : undefined,
    linearConfiguration:
      settings.strategy === "LINEAR" && settings.linear
        ? { stepPercent: settings.linear.stepPercent, stepBakeTimeInMinutes: String(settings.linear.stepBakeMinutes) }
        : undefined,
    lifecycleHook:
      hooks.length > 0
        ? hooks.map((hook) => ({
            hookTargetArn: hook.functionArn,
            roleArn: hookRoleArn as string,
            lifecycleStages: [...hook.stages],
            hookDetails: hook.details && JSON.stringify(hook.details),
          }))
        : undefined,
  };
}
