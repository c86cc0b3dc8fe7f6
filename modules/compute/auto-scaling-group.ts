import { Construct } from "constructs";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingLifecycleHook } from "@cdktf/provider-aws/lib/autoscaling-lifecycle-hook";

/** How much of the group runs on Spot; absent = every instance on-demand. */
export interface SpotDistribution {
  /** On-demand instances before any Spot. */
  readonly onDemandBaseCapacity: number;
  /** Percentage of on-demand instances above the base, 0-100. */
  readonly onDemandPercentageAboveBaseCapacity: number;
  /** e.g. `price-capacity-optimized` (fewest interruptions for the price). */
  readonly allocationStrategy: string;
  /**
   * Replace Spot instances at elevated risk before they are interrupted. ECS gets no notice of
   * these terminations, so it is only allowed when `ecsManaged` (managed draining) is on.
   */
  readonly capacityRebalance: boolean;
}

/** A termination lifecycle hook that holds instances in `Terminating:Wait` until a drainer completes it. */
export interface TerminationHookSettings {
  /** Unique within the group. */
  readonly name: string;
  /** Seconds the hook waits for CompleteLifecycleAction before it lets the termination go on (30-7200). */
  readonly heartbeatTimeoutSeconds: number;
}

/** Rolling replacement when the launch template changes. */
export interface InstanceRefreshSettings {
  /** Share of capacity kept in service during the refresh, 0-100. */
  readonly minHealthyPercentage: number;
  /**
   * Pause points, in percent of instances replaced; the last must be 100 or the refresh stops there.
   * @default []
   */
  readonly checkpointPercentages?: number[];
  /**
   * Seconds to wait at each checkpoint.
   * @default 600
   */
  readonly checkpointDelaySeconds?: number;
}

export interface EcsAutoScalingGroupProps {
  readonly name: string;
  readonly launchTemplateId: string;
  /** A version number (not `$Latest`) so that template changes reach the group and start an instance refresh. */
  readonly launchTemplateVersion: string;
  readonly subnetIds: string[];
  /** Instance types in order of preference (on-demand capacity follows this order). */
  readonly instanceTypes: string[];
  readonly minSize: number;
  readonly maxSize: number;
  /**
   * Initial size only: autoscalers own it after creation (it is in `ignore_changes`).
   * @default minSize
   */
  readonly desiredCapacity?: number;
  /**
   * Spot share of the group.
   * @default - all on-demand
   */
  readonly spot?: SpotDistribution;
  /**
   * The group backs an ECS capacity provider with managed termination protection: instances are
   * protected from scale-in (ECS lifts it on empty instances) and carry the `AmazonECSManaged`
   * tag ECS would otherwise add behind Terraform's back.
   */
  readonly ecsManaged: boolean;
  /**
   * Seconds before health checks count for a new instance.
   * @default 120
   */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * Instance refresh on launch template change, replacing scale-in protected instances too.
   * @default - minimum healthy 90 %, no checkpoints
   */
  readonly instanceRefresh?: InstanceRefreshSettings;
  /**
   * Tags propagated to the instances at launch (e.g. Name, service, role, env).
   * @default {}
   */
  readonly tags?: Record<string, string>;
  /**
   * Which instances go first on scale-in.
   * @default ["OldestLaunchTemplate", "AllocationStrategy", "OldestInstance"]
   */
  readonly terminationPolicies?: string[];
  /**
   * Hold terminating instances until a drainer completes the action (CONTINUE either way, also when
   * nobody does). Only for groups without managed draining: ECS installs its own hook on managed ones.
   * @default - no termination hook
   */
  readonly terminationHook?: TerminationHookSettings;
  /**
   * Something other than Terraform owns the Spot share's on-demand base after creation (the Spot
   * fallback controller): Terraform ignores `on_demand_base_capacity`, and `spot.onDemandBaseCapacity`
   * is only its initial value.
   * @default false
   */
  readonly onDemandBaseExternallyManaged?: boolean;
}

/** The group attribute the Spot fallback moves, as `ignore_changes` names it. */
export const ON_DEMAND_BASE_ATTRIBUTE = "mixed_instances_policy[0].instances_distribution[0].on_demand_base_capacity";

/**
 * An Auto Scaling Group of ECS container instances, on-demand or mixed with Spot. Always a mixed
 * instances policy, so several instance types can back either kind.
 *
 * Teardown: `force_delete` terminates the instances without waiting for them (and drops pending
 * lifecycle actions such as ECS's managed-draining hook), so destroy cannot stall on
 * scale-in-protected instances.
 */
/**
 * The group metrics every group publishes (free, one-minute): how many instances serve and how many
 * the group wants, per pool, on the environment's dashboard.
 */
export const GROUP_METRICS = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances"] as const;

export class EcsAutoScalingGroup extends Construct {
  public readonly autoScalingGroupName: string;
  public readonly autoScalingGroupArn: string;
  public readonly resource: AutoscalingGroup;
  /** Name of the termination hook, when `terminationHook` is set. */
  public readonly terminationHookName?: string;

  constructor(scope: Construct, id: string, props: EcsAutoScalingGroupProps) {
    super(scope, id);
    if (props.instanceTypes.length === 0) throw new Error(`${props.name}: instanceTypes must not be empty`);
    if (props.spot?.capacityRebalance && !props.ecsManaged) {
      throw new Error(`${props.name}: capacity rebalance needs ECS managed draining (ecsManaged), ECS gets no notice of rebalancing terminations`);
    }
    if (props.terminationHook && props.ecsManaged) {
      throw new Error(`${props.name}: terminationHook is for groups without managed draining, ECS drains managed groups through its own hook`);
    }
    const refresh = props.instanceRefresh ?? { minHealthyPercentage: 90 };
    const checkpoints = refresh.checkpointPercentages ?? [];
    const tags = Object.entries(props.tags ?? {}).map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
    if (props.ecsManaged) tags.push({ key: "AmazonECSManaged", value: "true", propagateAtLaunch: true });

    this.resource = new AutoscalingGroup(this, "group", {
      name: props.name,
      vpcZoneIdentifier: props.subnetIds,
      minSize: props.minSize,
      maxSize: props.maxSize,
      desiredCapacity: props.desiredCapacity,
      healthCheckType: "EC2",
      healthCheckGracePeriod: props.healthCheckGracePeriodSeconds ?? 120,
      protectFromScaleIn: props.ecsManaged,
      capacityRebalance: props.spot?.capacityRebalance ?? false,
      terminationPolicies: props.terminationPolicies ?? ["OldestLaunchTemplate", "AllocationStrategy", "OldestInstance"],
      forceDelete: true,
      mixedInstancesPolicy: {
        instancesDistribution: props.spot
          ? {
              onDemandAllocationStrategy: "prioritized",
              onDemandBaseCapacity: props.spot.onDemandBaseCapacity,
              onDemandPercentageAboveBaseCapacity: props.spot.onDemandPercentageAboveBaseCapacity,
              spotAllocationStrategy: props.spot.allocationStrategy,
            }
          : { onDemandAllocationStrategy: "prioritized", onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 100 },
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: props.launchTemplateId, version: props.launchTemplateVersion },
          override: props.instanceTypes.map((instanceType) => ({ instanceType })),
        },
      },
      instanceRefresh: {
        strategy: "Rolling",
        preferences: {
          minHealthyPercentage: refresh.minHealthyPercentage,
          skipMatching: true,
          // With managed termination protection every busy instance is protected; "Refresh" replaces
          // them anyway, and ECS managed draining moves their tasks first.
          scaleInProtectedInstances: "Refresh",
          standbyInstances: "Terminate",
          ...(checkpoints.length > 0
            ? { checkpointPercentages: checkpoints, checkpointDelay: String(refresh.checkpointDelaySeconds ?? 600) }
            : {}),
        },
      },
      tag: tags,
      enabledMetrics: [...GROUP_METRICS],
      metricsGranularity: "1Minute",
      lifecycle: { ignoreChanges: ["desired_capacity", ...(props.spot && props.onDemandBaseExternallyManaged ? [ON_DEMAND_BASE_ATTRIBUTE] : [])] },
    });
    this.autoScalingGroupName = this.resource.name;
    this.autoScalingGroupArn = this.resource.arn;

    if (props.terminationHook) {
      // A separate resource rather than initial_lifecycle_hook: Auto Scaling consults hooks when an
      // instance terminates, not when it launched, so instances already running are held too, and the
      // hook can be added to or removed from an existing group without replacing it.
      const hook = new AutoscalingLifecycleHook(this, "termination-hook", {
        name: props.terminationHook.name,
        autoscalingGroupName: this.resource.name,
        lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        // Terminating goes on either way; CONTINUE is also what happens when the drainer never answers.
        defaultResult: "CONTINUE",
        heartbeatTimeout: props.terminationHook.heartbeatTimeoutSeconds,
      });
      this.terminationHookName = hook.name;
    }
  }
}
