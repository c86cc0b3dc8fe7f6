/**
 * A small model of the AWS a cluster's capacity lives in, for simulating the Spot fallback under a fake
 * clock: Spot pools that stop launching (and may reclaim their instances), a Spot ASG or a Spot Fleet
 * that keeps trying, an on-demand pool that always launches, instance boot and task start times, and
 * tasks placed wherever there is room. The fallback's real handler talks to it through
 * aws-sdk-client-mock: the world answers the same commands AWS would, with the same shapes.
 *
 * What the model takes from the AWS docs: a mixed-instances group launches its first `base` instances
 * on-demand and the rest on Spot; a change of the base moves the group gradually, launching before it
 * terminates (CloudFormation InstancesDistribution); a failed Spot launch is an activity with status
 * Failed and "Could not launch Spot Instances. InsufficientInstanceCapacity ..."; a maintain Spot Fleet
 * retries until fulfilled and logs `error` history events; ECS managed draining / the drainer's hook
 * keep a terminating instance's tasks running until they run elsewhere.
 */
import type { AwsClientStub } from "aws-sdk-client-mock";
import {
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
  type Activity,
  type AutoScalingClient,
} from "@aws-sdk/client-auto-scaling";
import { DescribeSpotFleetRequestHistoryCommand, DescribeSpotFleetRequestsCommand, type EC2Client, type HistoryRecord } from "@aws-sdk/client-ec2";
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";

export const STEP_SECONDS = 10;
export const BOOT_SECONDS = 90;
export const TASK_START_SECONDS = 30;
/** A drain (managed draining, or the drainer's hook) holds a terminating instance this long. */
export const DRAIN_SECONDS = 60;

/** A Spot capacity pool (instance type x AZ). */
export interface PoolModel {
  readonly name: string;
  /** Instances this pool can hold at once. @default unlimited */
  readonly size?: number;
  /** Whether the pool launches at minute `minute`. */
  readonly launchable: (minute: number) => boolean;
  /** Minutes at which the pool reclaims every instance it runs (Spot interruptions). @default none */
  readonly reclaimAt?: readonly number[];
}

interface Instance {
  readonly id: string;
  readonly market: "spot" | "on-demand";
  readonly pool?: string;
  /** Mutable only so a world can start with instances that booted long ago. */
  launchedAt: number;
  terminatingAt?: number;
}

/** What a run recorded once per minute. */
export interface Sample {
  readonly minute: number;
  readonly running: number;
  readonly onDemand: number;
  readonly spot: number;
}

let nextId = 1;
const instanceId = () => `i-${(nextId++).toString(16).padStart(17, "0")}`;

/** Instances, pools and tasks shared by both capacity modes. */
/** The fake clock the world and the controller share (__tests__/support/fake-clock.ts). */
export interface Clock {
  now(): number;
}

abstract class World {
  readonly instances: Instance[] = [];
  readonly samples: Sample[] = [];
  private parameter?: string;

  constructor(
    private readonly clock: Clock,
    protected readonly pools: readonly PoolModel[],
    /** Tasks that must run on this capacity. */
    readonly tasksWanted: number,
    readonly tasksPerInstance: number,
  ) {
    this.start = clock.now();
  }

  readonly start: number;

  get now(): number {
    return this.clock.now();
  }

  get minute(): number {
    return (this.now - this.start) / 60_000;
  }

  /** Running tasks: room on instances booted and started, also on instances still draining. */
  running(): number {
    const ready = this.instances.filter((instance) => this.now - instance.launchedAt >= (BOOT_SECONDS + TASK_START_SECONDS) * 1000).length;
    return Math.min(this.tasksWanted, ready * this.tasksPerInstance);
  }

  count(market: Instance["market"], filter: (instance: Instance) => boolean = (instance) => instance.terminatingAt === undefined): number {
    return this.instances.filter((instance) => instance.market === market && filter(instance)).length;
  }

  /** One step of physics: reclaims, drains ending, then the capacity owner's launches. */
  step(): void {
    const minute = this.minute;
    for (const pool of this.pools) {
      if (pool.reclaimAt?.some((at) => at > minute - STEP_SECONDS / 60 && at <= minute)) {
        // The 2-minute warning is shorter than a replacement's boot: the capacity is simply gone.
        for (const instance of this.instances.filter((candidate) => candidate.pool === pool.name)) this.remove(instance);
      }
    }
    for (const instance of [...this.instances]) {
      if (instance.terminatingAt !== undefined && this.now - instance.terminatingAt >= DRAIN_SECONDS * 1000) this.remove(instance);
    }
    this.launch();
    if (this.now % 60_000 === this.start % 60_000) {
      this.samples.push({ minute: Math.round(minute), running: this.running(), onDemand: this.count("on-demand"), spot: this.count("spot") });
    }
  }

  protected abstract launch(): void;

  /** A Spot launch in the first pool that launches now and has room, or undefined (a capacity error). */
  protected launchSpot(): Instance | undefined {
    const pool = this.pools.find((candidate) => candidate.launchable(this.minute) && (candidate.size ?? Infinity) > this.instances.filter((instance) => instance.pool === candidate.name).length);
    if (!pool) return undefined;
    const instance: Instance = { id: instanceId(), market: "spot", pool: pool.name, launchedAt: this.now };
    this.instances.push(instance);
    return instance;
  }

  protected launchOnDemand(): Instance {
    const instance: Instance = { id: instanceId(), market: "on-demand", launchedAt: this.now };
    this.instances.push(instance);
    return instance;
  }

  protected remove(instance: Instance): void {
    this.instances.splice(this.instances.indexOf(instance), 1);
  }

  protected booted(instance: Instance): boolean {
    return this.now - instance.launchedAt >= BOOT_SECONDS * 1000;
  }

  /** The controller's state parameter. */
  serveState(ssm: AwsClientStub<SSMClient>, name: string): void {
    ssm.on(GetParameterCommand, { Name: name }).callsFake(async () => {
      if (this.parameter === undefined) throw new ParameterNotFound({ message: `Parameter ${name} not found.`, $metadata: {} });
      return { Parameter: { Name: name, Type: "String", Value: this.parameter } };
    });
    ssm.on(PutParameterCommand, { Name: name }).callsFake(async (input: { Value?: string }) => {
      this.parameter = input.Value;
      return { Version: 2 };
    });
  }

  get state(): Record<string, unknown> {
    return JSON.parse(this.parameter ?? "{}") as Record<string, unknown>;
  }
}

const SPOT_FAILURE =
  "Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request. Launching EC2 instance failed.";

/** Capacity-providers mode: the Spot ASG (mixed instances, on-demand base), sized by ECS managed scaling. */
export class SpotGroupWorld extends World {
  base: number;
  readonly activities: Activity[] = [];

  constructor(
    clock: Clock,
    pools: readonly PoolModel[],
    tasksWanted: number,
    tasksPerInstance: number,
    readonly groupName: string,
    /** The configured base (the fallback's floor). */
    readonly configuredBase: number,
  ) {
    super(clock, pools, tasksWanted, tasksPerInstance);
    this.base = configuredBase;
    this.launch();
    for (const instance of this.instances) instance.launchedAt = this.start - 3_600_000;
  }

  /** Managed scaling at steady state: the instances the provider's tasks need. */
  get desired(): number {
    return Math.ceil(this.tasksWanted / this.tasksPerInstance);
  }

  protected launch(): void {
    const onDemandTarget = Math.min(this.desired, this.base);
    const spotTarget = this.desired - onDemandTarget;
    // Scale-out to desired: the base on-demand first, the rest on Spot.
    while (this.count("on-demand") + this.count("spot") < this.desired) {
      if (this.count("on-demand") < onDemandTarget) {
        this.launchOnDemand();
      } else if (!this.launchSpot()) {
        this.fail(SPOT_FAILURE);
        break;
      }
    }
    // A changed distribution: replace gradually, one instance at a time, launching before terminating.
    if (this.instances.some((instance) => instance.terminatingAt === undefined && !this.booted(instance))) return;
    const onDemand = this.count("on-demand");
    const spot = this.count("spot");
    if (onDemand > onDemandTarget) {
      if (onDemand + spot > this.desired) this.retire("on-demand");
      else if (!this.launchSpot()) this.fail(SPOT_FAILURE);
    } else if (spot > spotTarget) {
      if (onDemand + spot > this.desired) this.retire("spot");
      else this.launchOnDemand();
    }
  }

  private retire(market: Instance["market"]): void {
    const instance = this.instances.find((candidate) => candidate.market === market && candidate.terminatingAt === undefined);
    if (instance) instance.terminatingAt = this.now;
  }

  private fail(message: string): void {
    const last = this.activities[0];
    // Auto Scaling retries failed launches; one activity per 30 s is its rhythm here.
    if (last && this.now - (last.StartTime?.getTime() ?? 0) < 30_000) return;
    this.activities.unshift({
      ActivityId: `a-${this.activities.length}`,
      AutoScalingGroupName: this.groupName,
      Cause: "At ... an instance was started in response to a difference between desired and actual capacity",
      StartTime: new Date(this.now),
      EndTime: new Date(this.now),
      StatusCode: "Failed",
      StatusMessage: message,
      Progress: 100,
    });
  }

  serve(autoscaling: AwsClientStub<AutoScalingClient>): void {
    autoscaling.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: [this.groupName] }).callsFake(async () => ({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: this.groupName,
          MinSize: 0,
          MaxSize: 30,
          DesiredCapacity: this.desired,
          DefaultCooldown: 300,
          AvailabilityZones: ["eu-west-1a"],
          HealthCheckType: "EC2",
          CreatedTime: new Date(this.start),
          MixedInstancesPolicy: { InstancesDistribution: { OnDemandBaseCapacity: this.base, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: "price-capacity-optimized" } },
          Instances: this.instances.map((instance) => ({
            InstanceId: instance.id,
            AvailabilityZone: "eu-west-1a",
            LifecycleState: instance.terminatingAt !== undefined ? "Terminating:Wait" : this.booted(instance) ? "InService" : "Pending",
            HealthStatus: "Healthy",
            ProtectedFromScaleIn: true,
          })),
        },
      ],
    }));
    autoscaling.on(DescribeScalingActivitiesCommand, { AutoScalingGroupName: this.groupName }).callsFake(async (input: { MaxRecords?: number }) => ({
      Activities: this.activities.slice(0, input.MaxRecords ?? 100),
    }));
    autoscaling.on(UpdateAutoScalingGroupCommand, { AutoScalingGroupName: this.groupName }).callsFake(async (input: { MixedInstancesPolicy?: { InstancesDistribution?: { OnDemandBaseCapacity?: number } } }) => {
      const base = input.MixedInstancesPolicy?.InstancesDistribution?.OnDemandBaseCapacity;
      if (base !== undefined) this.base = base;
      return {};
    });
  }
}

/** Spot-fleet mode: a maintain Spot Fleet of weight-1 instances and the on-demand ASG nothing else scales. */
export class SpotFleetWorld extends World {
  desiredOnDemand: number;
  readonly history: HistoryRecord[] = [];

  constructor(
    clock: Clock,
    pools: readonly PoolModel[],
    tasksWanted: number,
    tasksPerInstance: number,
    readonly fleetId: string,
    readonly groupName: string,
    readonly targetCapacity: number,
    readonly onDemandFloor: number,
  ) {
    super(clock, pools, tasksWanted, tasksPerInstance);
    this.desiredOnDemand = onDemandFloor;
    this.launch();
    for (const instance of this.instances) instance.launchedAt = this.start - 3_600_000;
  }

  protected launch(): void {
    while (this.count("spot") < this.targetCapacity) {
      if (!this.launchSpot()) {
        const last = this.history[0];
        if (!last || this.now - (last.Timestamp?.getTime() ?? 0) >= 30_000) {
          this.history.unshift({
            Timestamp: new Date(this.now),
            EventType: "error",
            EventInformation: {
              EventSubType: "allLaunchSpecsTemporarilyBlacklisted",
              EventDescription: "Several attempts to launch instances failed: InsufficientInstanceCapacity - There is no Spot capacity available that matches your request.",
            },
          });
        }
        break;
      }
    }
    // The on-demand ASG: launch to desired; scale-in terminates through the drain hook.
    while (this.count("on-demand") < this.desiredOnDemand) this.launchOnDemand();
    while (this.count("on-demand") > this.desiredOnDemand) {
      const newest = [...this.instances].reverse().find((instance) => instance.market === "on-demand" && instance.terminatingAt === undefined);
      if (!newest) break;
      newest.terminatingAt = this.now;
    }
  }

  serve(autoscaling: AwsClientStub<AutoScalingClient>, ec2: AwsClientStub<EC2Client>): void {
    ec2.on(DescribeSpotFleetRequestsCommand, { SpotFleetRequestIds: [this.fleetId] }).callsFake(async () => ({
      SpotFleetRequestConfigs: [
        {
          SpotFleetRequestId: this.fleetId,
          SpotFleetRequestState: "active",
          ActivityStatus: this.count("spot") < this.targetCapacity ? "pending_fulfillment" : "fulfilled",
          SpotFleetRequestConfig: { IamFleetRole: "arn:aws:iam::123456789012:role/fleet", TargetCapacity: this.targetCapacity, FulfilledCapacity: this.count("spot") },
        },
      ],
    }));
    ec2.on(DescribeSpotFleetRequestHistoryCommand, { SpotFleetRequestId: this.fleetId }).callsFake(async (input: { StartTime?: Date; EventType?: string }) => ({
      SpotFleetRequestId: this.fleetId,
      StartTime: input.StartTime,
      LastEvaluatedTime: new Date(this.now),
      HistoryRecords: this.history.filter((record) => (record.Timestamp?.getTime() ?? 0) >= (input.StartTime?.getTime() ?? 0) && (!input.EventType || record.EventType === input.EventType)),
    }));
    autoscaling.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: [this.groupName] }).callsFake(async () => ({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: this.groupName,
          MinSize: 0,
          MaxSize: 2,
          DesiredCapacity: this.desiredOnDemand,
          DefaultCooldown: 300,
          AvailabilityZones: ["eu-west-1a"],
          HealthCheckType: "EC2",
          CreatedTime: new Date(this.start),
          Instances: [],
        },
      ],
    }));
    autoscaling.on(SetDesiredCapacityCommand, { AutoScalingGroupName: this.groupName }).callsFake(async (input: { DesiredCapacity?: number }) => {
      this.desiredOnDemand = input.DesiredCapacity ?? this.desiredOnDemand;
      return {};
    });
  }
}
