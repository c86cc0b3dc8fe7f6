import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  UpdateAutoScalingGroupCommand,
  type Activity,
} from "@aws-sdk/client-auto-scaling";
import type { ModeConfig } from "./config";
import type { Observation } from "./controller";

type CapacityProvidersConfig = Extract<ModeConfig, { mode: "capacity-providers" }>;

/** Instances that count as capacity: launching, warming or in service; not leaving. */
const COUNTED_STATES = /^(Pending|InService|Warmed)/;

/**
 * A failed Spot launch of a mixed-instances group. Auto Scaling reports them as activities with
 * status `Failed` and a status message such as "Could not launch Spot Instances.
 * InsufficientInstanceCapacity - There is no Spot capacity available that matches your request."
 * (also UnfulfillableCapacity, MaxSpotInstanceCountExceeded, SpotMaxPriceTooLow).
 */
export function isSpotCapacityFailure(activity: Activity): boolean {
  return activity.StatusCode === "Failed" && /Could not launch Spot Instances/i.test(activity.StatusMessage ?? "");
}

/**
 * Capacity-providers mode: the Spot ASG behind the Spot capacity provider. Its managed scaling
 * raises the desired capacity for tasks waiting on the provider; what Spot cannot launch stays
 * missing (desired above the instances it has). The lever is the group's on-demand base: the
 * first `base` instances of the group are on-demand, so the capacity provider keeps scaling the
 * same group and services keep their strategy.
 */
export class SpotGroupLever {
  constructor(
    private readonly autoscaling: AutoScalingClient,
    private readonly config: CapacityProvidersConfig,
    private readonly lookBackSeconds: number,
  ) {}

  async observe(now: number): Promise<Observation & { readonly baseCapacity: number }> {
    const [groups, activities] = await Promise.all([
      this.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [this.config.spotGroupName] })),
      // Newest first; one page covers minutes of retries.
      this.autoscaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: this.config.spotGroupName, MaxRecords: 100 })),
    ]);
    const group = groups.AutoScalingGroups?.[0];
    if (!group) throw new Error(`Auto Scaling group ${this.config.spotGroupName} not found`);
    const baseCapacity = group.MixedInstancesPolicy?.InstancesDistribution?.OnDemandBaseCapacity ?? 0;
    const counted = (group.Instances ?? []).filter((instance) => COUNTED_STATES.test(instance.LifecycleState ?? "")).length;
    const since = now - this.lookBackSeconds * 1000;
    const capacityErrorTimes = (activities.Activities ?? [])
      .filter(isSpotCapacityFailure)
      .map((activity) => activity.StartTime?.getTime() ?? 0)
      .filter((time) => time >= since);
    return {
      added: this.addedFor(baseCapacity),
      shortfall: Math.max(0, (group.DesiredCapacity ?? 0) - counted),
      capacityErrorTimes,
      baseCapacity,
    };
  }

  /** On-demand instances a base of `baseCapacity` adds above the configured distribution. */
  addedFor(baseCapacity: number): number {
    return Math.max(0, Math.floor((baseCapacity - this.config.baseCapacity) * this.spotShare()));
  }

  /** The base that makes the group hold `added` more on-demand instances than configured. */
  baseFor(added: number): number {
    return this.config.baseCapacity + Math.ceil(added / this.spotShare());
  }

  /**
   * Only the base changes (UpdateAutoScalingGroup leaves what it is not given as it is). Auto
   * Scaling moves the group to the new distribution gradually, launching before it terminates;
   * ECS managed draining moves tasks off the instances it terminates.
   */
  async apply(added: number, observedBase: number): Promise<boolean> {
    const base = this.baseFor(added);
    if (base === observedBase) return false;
    await this.autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: this.config.spotGroupName,
        MixedInstancesPolicy: { InstancesDistribution: { OnDemandBaseCapacity: base } },
      }),
    );
    return true;
  }

  /** A raised base turns instances above it on-demand only in the Spot share (100 - percentage). */
  private spotShare(): number {
    return (100 - this.config.onDemandPercentageAboveBase) / 100;
  }
}
