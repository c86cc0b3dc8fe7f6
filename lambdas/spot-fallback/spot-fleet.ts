import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeSpotFleetRequestHistoryCommand, DescribeSpotFleetRequestsCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { ModeConfig } from "./config";
import type { Observation } from "./controller";

type SpotFleetConfig = Extract<ModeConfig, { mode: "spot-fleet" }>;

/**
 * Spot-fleet mode: a `maintain` Spot Fleet keeps trying to reach its target capacity; what it
 * cannot launch shows as fulfilled below target, and as `error` events in its history
 * (e.g. allLaunchSpecsTemporarilyBlacklisted, launchSpecTemporarilyBlacklisted with
 * InsufficientInstanceCapacity in the description, spotInstanceCountLimitExceeded). The lever is
 * the on-demand ASG's desired capacity: no scaling policy owns it in this mode, and Terraform
 * ignores it after creation.
 */
export class OnDemandGroupLever {
  constructor(
    private readonly autoscaling: AutoScalingClient,
    private readonly ec2: EC2Client,
    private readonly config: SpotFleetConfig,
    private readonly lookBackSeconds: number,
  ) {}

  async observe(now: number): Promise<Observation & { readonly desiredCapacity: number }> {
    const [fleets, history, groups] = await Promise.all([
      this.ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [this.config.spotFleetRequestId] })),
      this.ec2.send(
        new DescribeSpotFleetRequestHistoryCommand({
          SpotFleetRequestId: this.config.spotFleetRequestId,
          StartTime: new Date(now - this.lookBackSeconds * 1000),
          EventType: "error",
        }),
      ),
      this.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [this.config.onDemandGroupName] })),
    ]);
    const fleet = fleets.SpotFleetRequestConfigs?.[0]?.SpotFleetRequestConfig;
    if (!fleet) throw new Error(`Spot Fleet request ${this.config.spotFleetRequestId} not found`);
    const group = groups.AutoScalingGroups?.[0];
    if (!group) throw new Error(`Auto Scaling group ${this.config.onDemandGroupName} not found`);
    const desiredCapacity = group.DesiredCapacity ?? 0;
    const added = Math.max(0, desiredCapacity - this.config.onDemandFloor);
    const missingUnits = Math.max(0, (fleet.TargetCapacity ?? 0) - (fleet.FulfilledCapacity ?? 0));
    // What the held on-demand instances already stand in for is not missing any more.
    const shortfall = Math.max(0, Math.ceil(missingUnits / this.config.onDemandInstanceWeight) - added);
    const capacityErrorTimes = (history.HistoryRecords ?? []).map((record) => record.Timestamp?.getTime() ?? 0);
    return { added, shortfall, capacityErrorTimes, desiredCapacity };
  }

  /**
   * Scale-in of this group goes through its termination hook, which the drainer completes after
   * draining the instance (the config requires the drainer with the fallback in this mode).
   */
  async apply(added: number, observedDesired: number): Promise<boolean> {
    const desired = this.config.onDemandFloor + added;
    if (desired === observedDesired) return false;
    await this.autoscaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: this.config.onDemandGroupName, DesiredCapacity: desired, HonorCooldown: false }),
    );
    return true;
  }
}
