import {
  InstanceRefreshInProgressFault,
  StartInstanceRefreshCommand,
  type AutoScalingClient,
} from "@aws-sdk/client-auto-scaling";
import type { Config, PoolConfig } from "./config";
import { errorFields, log } from "./log";

export type RefreshOutcome =
  | { status: "started"; instanceRefreshId: string }
  | { status: "already-in-progress" }
  | { status: "failed"; error: string };

/**
 * Only used for pools whose launch template resolves the AMI from SSM at launch: replacing their instances is
 * what moves them to the new AMI. SkipMatching must stay off here: without a new template or version every
 * instance "matches", and AWS then ends the refresh at once without replacing anything.
 */
export async function startRefresh(asg: AutoScalingClient, pool: PoolConfig, config: Config): Promise<RefreshOutcome> {
  try {
    const { InstanceRefreshId } = await asg.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: pool.asgName,
        Preferences: {
          MinHealthyPercentage: config.minHealthyPercentage,
          SkipMatching: false,
          // ECS managed termination protection marks instances scale-in protected; replace them anyway.
          ScaleInProtectedInstances: "Refresh",
          ...(config.instanceWarmupSeconds !== undefined && { InstanceWarmup: config.instanceWarmupSeconds }),
        },
      }),
    );
    log("info", "instance refresh started", { pool: pool.name, asgName: pool.asgName, InstanceRefreshId });
    return { status: "started", instanceRefreshId: InstanceRefreshId ?? "unknown" };
  } catch (err) {
    if (err instanceof InstanceRefreshInProgressFault) {
      log("info", "instance refresh already in progress", { pool: pool.name, asgName: pool.asgName });
      return { status: "already-in-progress" };
    }
    log("error", "StartInstanceRefresh failed", { pool: pool.name, asgName: pool.asgName, ...errorFields(err) });
    return { status: "failed", error: err instanceof Error ? err.message : String(err) };
  }
}
