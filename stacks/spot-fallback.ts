import type { Construct } from "constructs";
import type { Compute } from "../modules/compute/compute";
import { NAME_LIMITS, type Naming } from "../modules/platform/naming";
import { SpotFallback, type OnDemandGroupLeverProps, type SpotGroupLeverProps } from "../modules/operations/spot-fallback";
import type { EnvironmentConfig } from "./config";
import { fallbackCap, onDemandFloor } from "./config/spot-fallback";

/** The environment's Spot fallback controller, from its config and its compute (`spotFallback.enabled`). */
export function buildSpotFallback(
  scope: Construct,
  config: EnvironmentConfig,
  naming: Naming,
  compute: Compute,
  account: { readonly partition: string; readonly accountId: string },
  alarmActions: readonly string[],
): SpotFallback {
  const fallback = config.spotFallback;
  return new SpotFallback(scope, "spot-fallback", {
    functionName: naming.name("spot-fallback", NAME_LIMITS.lambda),
    ruleName: naming.name("spot-fallback", NAME_LIMITS.eventRule),
    stateParameterName: `/${config.project}/${config.environment}/spot-fallback/state`,
    clusterName: compute.clusterName,
    lever: lever(config, compute, account),
    checkIntervalMinutes: fallback.checkIntervalMinutes,
    sustainSeconds: fallback.sustainSeconds,
    settleSeconds: fallback.settleSeconds,
    maxOnDemandInstances: fallbackCap(config),
    recoveryHoldSeconds: fallback.recoveryHoldSeconds,
    maxRecoveryHoldSeconds: fallback.maxRecoveryHoldSeconds,
    recoveryStepInstances: fallback.recoveryStepInstances,
    recoveryStepIntervalSeconds: fallback.recoveryStepIntervalSeconds,
    failureQueueName: naming.name("spot-fallback-failures", NAME_LIMITS.sqsQueue),
    logRetentionDays: config.logs.retentionDays,
    tracingMode: config.lambdas.tracingMode,
    alarmActions,
  });
}

function lever(config: EnvironmentConfig, compute: Compute, account: { readonly partition: string; readonly accountId: string }): SpotGroupLeverProps | OnDemandGroupLeverProps {
  const pool = (name: "on-demand" | "spot") => {
    const found = compute.pools.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`spot fallback: compute has no ${name} pool`);
    return found;
  };
  const capacity = config.capacity;
  if (capacity.mode === "capacity-providers") {
    const spot = capacity.spot;
    if (!spot) throw new Error("spot fallback: capacity-providers mode without capacity.spot");
    const group = pool("spot");
    return {
      mode: "capacity-providers",
      spotGroupName: group.autoScalingGroupName,
      spotGroupArn: group.autoScalingGroupArn,
      launchTemplateArn: group.launchTemplateArn,
      instanceRoleArn: compute.instanceRoleArn,
      partition: account.partition,
      region: config.region,
      accountId: account.accountId,
      baseCapacity: spot.onDemandBaseCapacity,
      onDemandPercentageAboveBase: spot.onDemandPercentageAboveBaseCapacity,
    };
  }
  const fleet = capacity.spotFleet;
  if (!fleet || compute.spotFleetRequestId === undefined) throw new Error("spot fallback: spot-fleet mode without a Spot Fleet");
  const group = pool("on-demand");
  // What one on-demand instance stands in for: the fleet's weight for the on-demand ASG's first type, else its lightest.
  const weight = fleet.instanceTypes.find((type) => type.type === capacity.onDemand.instanceTypes[0])?.weightedCapacity ?? Math.min(...fleet.instanceTypes.map((type) => type.weightedCapacity));
  return {
    mode: "spot-fleet",
    spotFleetRequestId: compute.spotFleetRequestId,
    onDemandGroupName: group.autoScalingGroupName,
    onDemandGroupArn: group.autoScalingGroupArn,
    onDemandFloor: onDemandFloor(capacity.onDemand),
    onDemandInstanceWeight: weight,
  };
}
