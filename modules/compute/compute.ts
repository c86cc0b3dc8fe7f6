import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { EcsAutoScalingGroup, InstanceRefreshSettings, TerminationHookSettings } from "./auto-scaling-group";
import {
  CapacityPool,
  CapacityProviders,
  CapacityProviderStrategyItem,
  DefaultStrategySettings,
  ManagedScalingSettings,
} from "./capacity-providers";
import { EcsCluster } from "./ecs-cluster";
import { InstanceRole } from "./instance-role";
import { EcsLaunchTemplate, ecsOptimizedAmiParameter } from "./launch-template";
import type { ComputeNames } from "../services/platform-names";
import { ScalableTarget } from "./scalable-target";
import { SpotFleet, SpotFleetInstanceType } from "./spot-fleet";

export { computeNames, type ComputeNames } from "../services/platform-names";

/** An Auto Scaling Group's size and instance types. */
export interface GroupSettings {
  /** In order of preference. */
  readonly instanceTypes: string[];
  readonly minSize: number;
  readonly maxSize: number;
  /**
   * Initial size only; autoscalers own it afterwards.
   * @default minSize
   */
  readonly desiredCapacity?: number;
}

/** The Spot ASG: its size plus how much of it may be on-demand and how Spot pools are chosen. */
export interface SpotGroupSettings extends GroupSettings {
  readonly onDemandBaseCapacity: number;
  readonly onDemandPercentageAboveBaseCapacity: number;
  readonly allocationStrategy: string;
  readonly capacityRebalance: boolean;
}

/** The Spot Fleet request and how Application Auto Scaling sizes it. */
export interface SpotFleetSettings {
  readonly instanceTypes: SpotFleetInstanceType[];
  readonly targetCapacity: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly allocationStrategy: string;
  /**
   * ISO 8601 end of the request.
   * @default - no end
   */
  readonly validUntil?: string;
  /**
   * Replace instances that get a rebalance recommendation (`replacement_strategy = "launch"`).
   * The fleet then stops counting the old instance but leaves it running: a drainer must drain and
   * terminate it (the Spot drainer's `terminateAfterRebalanceDrain`).
   * @default false
   */
  readonly capacityRebalance?: boolean;
  /**
   * The cluster's reservation, max(CPUReservation, MemoryReservation) in percent, at which capacity
   * is added in steps. It counts placed tasks only, so the headroom above it is what new tasks fit in.
   */
  readonly reservationScaleOutPercent: number;
  /** The same signal at or below which one instance's worth of capacity is removed. */
  readonly reservationScaleInPercent: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
  /** Minutes the reservation must stay at or below `reservationScaleInPercent` before capacity is removed. */
  readonly scaleInEvaluationMinutes: number;
}

export interface ComputeProps {
  readonly names: ComputeNames;
  /** AWS partition of the managed policy ARNs, e.g. `aws` (the stack's `data.aws_partition`). */
  readonly partition: string;
  /** `capacity-providers`: on-demand + Spot ASGs behind capacity providers. `spot-fleet`: on-demand ASG + Spot Fleet, EC2 launch type. */
  readonly mode: "capacity-providers" | "spot-fleet";
  readonly vpcId: string;
  readonly subnetIds: string[];
  /**
   * Public IPs for instances in subnets without NAT.
   * @default false
   */
  readonly assignPublicIp?: boolean;
  readonly architecture: "x86_64" | "arm64";
  /**
   * Pin an AMI instead of following the ECS-optimized AL2023 SSM parameter.
   * @default - the public SSM parameter for the architecture
   */
  readonly amiId?: string;
  /**
   * The ASGs' launch templates name the SSM parameter (`image_id = "resolve:ssm:<parameter>"`)
   * instead of the AMI id read at plan time: every launch takes the AMI recommended at that moment,
   * so an instance refresh rolls to a new AMI without a deploy (the AMI watcher's `autoRefresh`).
   * The trade-off: any launch (scale-out, replacement) may bring a new AMI that no plan showed.
   * Ignored when `amiId` pins the AMI. The Spot Fleet's template keeps the plan-time id, because
   * Spot Fleet `maintain`/`request` fleets refuse `resolve:ssm` in launch templates.
   * @default false
   */
  readonly followSsmParameter?: boolean;
  readonly rootVolumeSizeGiB: number;
  readonly detailedMonitoring: boolean;
  readonly containerStopTimeoutSeconds: number;
  readonly healthCheckGracePeriodSeconds: number;
  /**
   * Create the cluster's Container Insights log group with this retention (EcsCluster's `performanceLogRetentionDays`).
   * @default - ECS creates it
   */
  readonly containerInsightsLogRetentionDays?: number;
  readonly onDemand: GroupSettings;
  /** Required in capacity-providers mode. */
  readonly spot?: SpotGroupSettings;
  /** Required in capacity-providers mode. */
  readonly managedScaling?: ManagedScalingSettings;
  /** Required in capacity-providers mode. */
  readonly strategy?: DefaultStrategySettings;
  /** Required in spot-fleet mode. */
  readonly spotFleet?: SpotFleetSettings;
  readonly instanceRefresh: InstanceRefreshSettings;
  /**
   * A termination lifecycle hook on every ASG without managed draining (spot-fleet mode's on-demand
   * ASG), for a drainer to complete ({@link Compute.drainHooks}). Capacity-providers mode ignores it:
   * managed draining holds those ASGs' terminations through ECS's own hook.
   * @default - no hook: terminations of unmanaged ASGs are not drained
   */
  readonly drainHook?: TerminationHookSettings;
  /**
   * The Spot fallback controller owns the Spot ASG's on-demand base after creation (capacity-providers
   * mode): Terraform ignores it, the controller keeps `spot.onDemandBaseCapacity` as its floor.
   * @default false
   */
  readonly fallbackOwnsOnDemandBase?: boolean;
  /** Tags every instance carries: `service` (e.g. the project) and `env`. */
  readonly instanceTags: { readonly service: string; readonly env: string };
  /**
   * Tags for everything the ASGs and the Spot Fleet launch (instances, volumes, network interfaces),
   * normally the stack's provider default tags, which never reach launched resources.
   * @default {}
   */
  readonly launchedResourceTags?: Record<string, string>;
}

/** A termination hook that holds an ASG's instances until a drainer completes its lifecycle action. */
export interface DrainHook {
  readonly hookName: string;
  readonly autoScalingGroupName: string;
  readonly autoScalingGroupArn: string;
  readonly heartbeatTimeoutSeconds: number;
}

export type ComputePoolName = "on-demand" | "spot" | "spot-fleet";

/** An ASG-backed pool, as the AMI watcher needs it. */
export interface ComputePool {
  readonly name: ComputePoolName;
  readonly launchTemplateId: string;
  readonly launchTemplateArn: string;
  readonly autoScalingGroupName: string;
  readonly autoScalingGroupArn: string;
  readonly architecture: "x86_64" | "arm64";
  readonly pinnedAmiId?: string;
}

/**
 * One environment's ECS capacity: the cluster (Container Insights on), the instance role,
 * security group and one launch template per pool, and either
 * - capacity providers: an on-demand ASG and a mixed-instances Spot ASG, each behind an ECS
 *   capacity provider with managed scaling, managed termination protection and managed draining,
 *   and the cluster default strategy (base on on-demand, then weights); or
 * - spot-fleet: an on-demand ASG (possibly empty) plus a Spot Fleet request, sized by Application
 *   Auto Scaling on one signal, the cluster's CPU/memory reservation, in both directions. Services
 *   use the EC2 launch type.
 * Every instance's agent drains on the Spot 2-minute warning (`ECS_ENABLE_SPOT_INSTANCE_DRAINING`).
 * In spot-fleet mode the on-demand ASG has no managed draining; with `drainHook` it gets a
 * termination lifecycle hook that a drainer completes ({@link Compute.drainHooks}).
 *
 * Teardown: services must `dependsOn` {@link Compute.capacityReady}. Destroy then removes the
 * services first, then the cluster's capacity provider association, the providers, and the ASGs,
 * which `force_delete` (terminating scale-in-protected instances and dropping ECS's managed
 * draining lifecycle hook actions) so it never waits on protected instances. The launch templates
 * depend on the cluster, so the cluster goes last, after its instances.
 */
export class Compute extends Construct {
  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly instanceSecurityGroupId: string;
  public readonly instanceRoleArn: string;
  public readonly architecture: "x86_64" | "arm64";
  /** Capacity provider names; undefined in spot-fleet mode. */
  public readonly capacityProviderNames?: { readonly onDemand: string; readonly spot: string };
  public readonly autoScalingGroupNames: string[];
  public readonly autoScalingGroupArns: string[];
  public readonly launchTemplateIds: { readonly onDemand: string; readonly spot?: string; readonly spotFleet?: string };
  /** The ASG-backed pools (launch template, ASG, architecture) for the AMI watcher. */
  public readonly pools: ComputePool[];
  /** Spot Fleet request id; undefined in capacity-providers mode. */
  public readonly spotFleetRequestId?: string;
  /** Services and jobs use the EC2 launch type (spot-fleet mode) instead of a capacity provider strategy. */
  public readonly usesEc2LaunchType: boolean;
  /** Termination hooks for a drainer to complete: spot-fleet mode's on-demand ASG, when `drainHook` is set; else empty. */
  public readonly drainHooks: DrainHook[] = [];
  /** What services and jobs put in `dependsOn`, so destroy removes them before the capacity they run on. */
  public readonly capacityReady: ITerraformDependable;
  private readonly capacityProviders?: CapacityProviders;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const names = props.names;
    this.architecture = props.architecture;
    this.usesEc2LaunchType = props.mode === "spot-fleet";

    const cluster = new EcsCluster(this, "cluster", { name: names.cluster, performanceLogRetentionDays: props.containerInsightsLogRetentionDays });
    this.clusterName = cluster.clusterName;
    this.clusterArn = cluster.clusterArn;

    const role = new InstanceRole(this, "instance-role", { name: names.instanceRole, partition: props.partition });
    this.instanceRoleArn = role.roleArn;

    // No ingress here: the load balancer adds its own rule from its security group.
    const securityGroup = new SecurityGroup(this, "instance-security-group", {
      name: names.securityGroup,
      description: `ECS container instances of ${names.cluster}`,
      vpcId: props.vpcId,
      tags: { Name: names.securityGroup },
    });
    new VpcSecurityGroupEgressRule(this, "instance-egress", {
      securityGroupId: securityGroup.id,
      description: "ECS, ECR, CloudWatch and the application's dependencies",
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    });
    this.instanceSecurityGroupId = securityGroup.id;

    const parameter = ecsOptimizedAmiParameter(props.architecture);
    let planTimeAmi: DataAwsSsmParameter | undefined;
    // Read only when a template needs it, so pinned or fully SSM-following environments have no lookup.
    const planTimeImageId = (): string =>
      props.amiId ?? (planTimeAmi ??= new DataAwsSsmParameter(this, "ecs-optimized-ami", { name: parameter })).insecureValue;
    const groupImageId = (): string => (props.followSsmParameter && !props.amiId ? `resolve:ssm:${parameter}` : planTimeImageId());

    const launchTemplate = (pool: ComputePoolName, name: string, imageId: string) =>
      new EcsLaunchTemplate(this, `${pool}-launch-template`, {
        name,
        clusterName: cluster.clusterName,
        imageId,
        instanceProfileArn: role.instanceProfileArn,
        securityGroupIds: [securityGroup.id],
        assignPublicIp: props.assignPublicIp ?? false,
        rootVolumeSizeGiB: props.rootVolumeSizeGiB,
        detailedMonitoring: props.detailedMonitoring,
        containerStopTimeoutSeconds: props.containerStopTimeoutSeconds,
        tags: this.instanceTags(props, pool, name),
        // Instances register with the cluster at boot: it and the role's policies come first and go last.
        dependsOn: [cluster.resource, ...role.policyAttachments],
      });
    const group = (pool: ComputePoolName, name: string, template: EcsLaunchTemplate, settings: GroupSettings, spot?: SpotGroupSettings) =>
      new EcsAutoScalingGroup(this, `${pool}-group`, {
        name,
        launchTemplateId: template.launchTemplateId,
        launchTemplateVersion: template.latestVersion,
        subnetIds: props.subnetIds,
        instanceTypes: settings.instanceTypes,
        minSize: settings.minSize,
        maxSize: settings.maxSize,
        desiredCapacity: settings.desiredCapacity,
        spot,
        ecsManaged: props.mode === "capacity-providers",
        terminationHook: props.mode === "capacity-providers" ? undefined : props.drainHook,
        healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds,
        instanceRefresh: props.instanceRefresh,
        tags: this.instanceTags(props, pool, name),
        onDemandBaseExternallyManaged: props.fallbackOwnsOnDemandBase,
      });

    const onDemandTemplate = launchTemplate("on-demand", names.onDemand, groupImageId());
    const onDemandGroup = group("on-demand", names.onDemand, onDemandTemplate, props.onDemand);
    this.pools = [this.pool("on-demand", onDemandTemplate, onDemandGroup, props)];

    if (props.mode === "capacity-providers") {
      if (!props.spot || !props.managedScaling || !props.strategy) {
        throw new Error("Compute: capacity-providers mode needs spot, managedScaling and strategy");
      }
      const spotTemplate = launchTemplate("spot", names.spot, groupImageId());
      const spotGroup = group("spot", names.spot, spotTemplate, props.spot, props.spot);
      this.pools.push(this.pool("spot", spotTemplate, spotGroup, props));
      this.capacityProviders = new CapacityProviders(this, "capacity-providers", {
        clusterName: cluster.clusterName,
        onDemand: { name: names.onDemand, autoScalingGroupArn: onDemandGroup.autoScalingGroupArn },
        spot: { name: names.spot, autoScalingGroupArn: spotGroup.autoScalingGroupArn },
        managedScaling: props.managedScaling,
        defaultStrategy: props.strategy,
        dependsOn: [cluster.resource],
      });
      this.capacityProviderNames = { onDemand: this.capacityProviders.onDemandName, spot: this.capacityProviders.spotName };
      this.launchTemplateIds = { onDemand: onDemandTemplate.launchTemplateId, spot: spotTemplate.launchTemplateId };
      this.autoScalingGroupNames = [onDemandGroup.autoScalingGroupName, spotGroup.autoScalingGroupName];
      this.autoScalingGroupArns = [onDemandGroup.autoScalingGroupArn, spotGroup.autoScalingGroupArn];
      this.capacityReady = this.capacityProviders.association;
      return;
    }

    if (!props.spotFleet) throw new Error("Compute: spot-fleet mode needs spotFleet");
    const fleetSettings = props.spotFleet;
    const fleetTemplate = launchTemplate("spot-fleet", names.spotFleet, planTimeImageId());
    const fleet = new SpotFleet(this, "spot-fleet", {
      name: names.spotFleet,
      roleName: names.spotFleetRole,
      partition: props.partition,
      launchTemplateId: fleetTemplate.launchTemplateId,
      subnetIds: props.subnetIds,
      instanceTypes: fleetSettings.instanceTypes,
      targetCapacity: fleetSettings.targetCapacity,
      allocationStrategy: fleetSettings.allocationStrategy,
      validUntil: fleetSettings.validUntil,
      capacityRebalance: fleetSettings.capacityRebalance,
    });
    this.scaleSpotFleet(fleet.spotFleetRequestId, fleetSettings, names);
    this.spotFleetRequestId = fleet.spotFleetRequestId;
    this.launchTemplateIds = { onDemand: onDemandTemplate.launchTemplateId, spotFleet: fleetTemplate.launchTemplateId };
    this.autoScalingGroupNames = [onDemandGroup.autoScalingGroupName];
    this.autoScalingGroupArns = [onDemandGroup.autoScalingGroupArn];
    if (props.drainHook && onDemandGroup.terminationHookName !== undefined) {
      this.drainHooks.push({
        hookName: onDemandGroup.terminationHookName,
        autoScalingGroupName: onDemandGroup.autoScalingGroupName,
        autoScalingGroupArn: onDemandGroup.autoScalingGroupArn,
        heartbeatTimeoutSeconds: props.drainHook.heartbeatTimeoutSeconds,
      });
    }
    this.capacityReady = fleet.resource;
  }

  /**
   * The capacity provider strategy for a service or job in `pool`, or undefined in spot-fleet mode
   * (use the EC2 launch type there).
   */
  capacityProviderStrategy(pool: CapacityPool): CapacityProviderStrategyItem[] | undefined {
    return this.capacityProviders?.strategy(pool);
  }

  /**
   * Both directions on one signal, the cluster's reservation max(CPUReservation, MemoryReservation):
   * step scale-out at `reservationScaleOutPercent` (one largest instance, two from 10 points above),
   * step scale-in of one smallest instance after `scaleInEvaluationMinutes` at or below
   * `reservationScaleInPercent`. Utilization would remove capacity that reservations still need:
   * idle tasks hold their reservation, and a task that does not fit shows only in reservation.
   */
  private scaleSpotFleet(requestId: string, settings: SpotFleetSettings, names: ComputeNames): void {
    const target = new ScalableTarget(this, "spot-fleet-scaling", {
      serviceNamespace: "ec2",
      resourceId: `spot-fleet-request/${requestId}`,
      scalableDimension: "ec2:spot-fleet-request:TargetCapacity",
      minCapacity: settings.minCapacity,
      maxCapacity: settings.maxCapacity,
    });
    const weights = settings.instanceTypes.map((type) => type.weightedCapacity);
    const reservation = (metricName: string) => ({ namespace: "AWS/ECS", metricName, dimensions: { ClusterName: this.clusterName }, statistic: "Maximum" });
    const metricMath = {
      expression: "MAX([cpu, memory])",
      label: "Cluster reservation (max of CPU and memory, %)",
      metrics: { cpu: reservation("CPUReservation"), memory: reservation("MemoryReservation") },
    };
    const largest = Math.max(...weights);
    target.addStepScalingPolicy("scale-out", {
      policyName: names.spotFleetScaleOut,
      cooldownSeconds: settings.scaleOutCooldownSeconds,
      steps: [
        { fromAboveThreshold: 0, adjustment: largest },
        { fromAboveThreshold: 10, adjustment: 2 * largest },
      ],
      alarms: [
        {
          alarmName: names.spotFleetReservationHighAlarm,
          alarmDescription: `Scaling, not an incident: the cluster's reservation (max of CPU and memory) passed ${settings.reservationScaleOutPercent}%, so the Spot Fleet adds capacity for tasks waiting to be placed`,
          metricMath,
          threshold: settings.reservationScaleOutPercent,
        },
      ],
    });
    target.addStepScaleInPolicy("scale-in", {
      policyName: names.spotFleetScaleIn,
      removeCapacity: Math.min(...weights),
      cooldownSeconds: settings.scaleInCooldownSeconds,
      alarms: [
        {
          alarmName: names.spotFleetReservationLowAlarm,
          alarmDescription: `Scaling, not an incident: the cluster's reservation stayed at or below ${settings.reservationScaleInPercent}% for ${settings.scaleInEvaluationMinutes} minutes, so the Spot Fleet removes one instance`,
          metricMath,
          threshold: settings.reservationScaleInPercent,
          evaluationPeriods: settings.scaleInEvaluationMinutes,
        },
      ],
    });
  }

  private instanceTags(props: ComputeProps, pool: ComputePoolName, name: string): Record<string, string> {
    return { ...props.launchedResourceTags, Name: name, service: props.instanceTags.service, role: `ecs-${pool}`, env: props.instanceTags.env };
  }

  private pool(name: ComputePoolName, template: EcsLaunchTemplate, group: EcsAutoScalingGroup, props: ComputeProps): ComputePool {
    return {
      name,
      launchTemplateId: template.launchTemplateId,
      launchTemplateArn: template.launchTemplateArn,
      autoScalingGroupName: group.autoScalingGroupName,
      autoScalingGroupArn: group.autoScalingGroupArn,
      architecture: props.architecture,
      ...(props.amiId ? { pinnedAmiId: props.amiId } : {}),
    };
  }
}
