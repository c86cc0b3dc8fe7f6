import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { EcsService as EcsServiceResource } from "@cdktf/provider-aws/lib/ecs-service";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Ec2TaskDefinition, type ContainerHealthCheck, type TaskRolePermissions } from "./ec2-task-definition";
import { TrafficShifting, weightedForward, type TrafficShiftingProps } from "../progressive-delivery/traffic-shifting";

/** One entry of an ECS capacity provider strategy. */
export interface CapacityProviderStrategyItem {
  readonly capacityProvider: string;
  /** Tasks placed on this provider before weights apply. @default 0 */
  readonly base?: number;
  /** Relative share of the remaining tasks. @default 0 */
  readonly weight?: number;
}

/** How a web service is reached through the load balancer. */
export interface ServiceRouting {
  readonly vpcId: string;
  /** Listener the service's rule is added to. */
  readonly listenerArn: string;
  /** Rule priority, unique on the listener (see `listenerRulePriorities`). */
  readonly priority: number;
  /** Host names the rule matches (any of them). */
  readonly hostHeaders: string[];
  /** Paths the rule matches (any of them), combined with the hosts. */
  readonly pathPatterns: string[];
  /**
   * Start of the target group's name (at most 6 characters, AWS appends a unique suffix). A fixed
   * name would make every replacement (port, protocol, VPC, target type) fail: the new group is
   * created before the old one is deleted, and names are unique per account and region.
   * @default - the first 5 characters of the service name and a hyphen
   */
  readonly targetGroupNamePrefix?: string;
  readonly healthCheck: {
    readonly path: string;
    /** HTTP codes that mean healthy, e.g. `200-399`. */
    readonly matcher: string;
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
  };
  /** Seconds in-flight requests get when a task leaves; must fit the Spot 2-minute warning. */
  readonly deregistrationDelaySeconds: number;
  /** Seconds a new target's share of traffic ramps up over; 0 = off. */
  readonly slowStartSeconds: number;
}

export interface EcsServiceProps {
  /** ECS service name and container name. */
  readonly serviceName: string;
  /** Task definition family. */
  readonly family: string;
  readonly clusterArn: string;
  readonly region: string;
  readonly accountId: string;
  /** `web`: behind the load balancer. `daemon`: one task per container instance, no load balancer. */
  readonly kind: "web" | "daemon";

  readonly image: string;
  /** CPU units (1024 = one vCPU). */
  readonly cpu: number;
  /** Hard memory limit (MiB). */
  readonly memory: number;
  /** Soft memory limit (MiB), what placement reserves. */
  readonly memoryReservation: number;
  /**
   * Port the container listens on; published on a dynamic host port. Required for web services.
   * @default - no port mapping
   */
  readonly containerPort?: number;
  /** @default - none */
  readonly containerHealthCheck?: ContainerHealthCheck;
  /** @default {} */
  readonly environment?: Record<string, string>;
  /**
   * Variable name to SSM parameter or Secrets Manager ARN; only the execution role can read them.
   * @default {}
   */
  readonly secrets?: Record<string, string>;
  /**
   * Secrets Manager secret with credentials for a private registry.
   * @default - none
   */
  readonly repositoryCredentialsSecretArn?: string;
  /**
   * ECR repositories (ARNs) releases may ship the image from: the execution role may pull from them too.
   * @default []
   */
  readonly releaseRepositoryArns?: readonly string[];
  /** Seconds between SIGTERM and SIGKILL. */
  readonly stopTimeoutSeconds: number;
  /**
   * Mount the container's root filesystem read-only; `writablePaths` stay writable.
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * Directories that stay writable (scratch volumes of the task), e.g. `/tmp`.
   * @default - none
   */
  readonly writablePaths?: readonly string[];
  /**
   * User (and group) the container runs as.
   * @default - the image's user
   */
  readonly user?: string;

  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly executionRoleName: string;
  readonly taskRoleName: string;
  /**
   * The application's own AWS permissions.
   * @default - nothing: an empty task role
   */
  readonly taskRolePermissions?: TaskRolePermissions;

  /** Tasks at creation; autoscaling owns the count afterwards. Ignored for daemons. */
  readonly desiredCount: number;
  readonly minHealthyPercent: number;
  /** Ignored for daemons, which never run more than one task per instance. */
  readonly maxPercent: number;
  /** Seconds load balancer health checks are ignored after a task starts. */
  readonly healthCheckGracePeriodSeconds: number;
  /**
   * CloudWatch alarms that fail a deployment while it runs (and its bake time after) when any is in
   * ALARM; ECS then rolls the deployment back, like the circuit breaker does for tasks that fail to start.
   * @default - none: only the circuit breaker decides
   */
  readonly deploymentAlarmNames?: string[];
  /**
   * Where tasks run. Daemons always use the EC2 launch type, which capacity providers do not serve.
   * @default - EC2 launch type (Spot Fleet mode)
   */
  readonly capacityProviderStrategy?: CapacityProviderStrategyItem[];
  /** Required for web services. */
  readonly routing?: ServiceRouting;
  /**
   * awsvpc networking (web services): every task gets a network interface in these subnets with these
   * security groups, and the target groups register ip targets.
   * @default - bridge networking: instance targets on dynamic host ports
   */
  readonly taskNetwork?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /**
   * Deploy by shifting load balancer traffic to a second full set of tasks (canary, linear, blue/green) instead of
   * replacing tasks in place. Needs `taskNetwork` (ECS documents traffic shifting for ip targets only).
   * @default - rolling deployments
   */
  readonly trafficShifting?: TrafficShiftingProps;
  /**
   * Resources the service must outlive on destroy, e.g. the cluster's capacity provider association.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One ECS service on EC2 with bridge networking: its task definition, log group, execution and
 * task roles and, for web services, a target group and listener rule. Terraform creates the
 * service once; autoscaling owns the task count and CI deploys own the task definition revision.
 */
export class EcsService extends Construct {
  public readonly serviceName: string;
  /** The service's ARN (the ECS service resource id). */
  public readonly serviceArn: string;
  public readonly taskDefinitionArn: string;
  public readonly taskDefinitionFamily: string;
  public readonly containerName: string;
  public readonly taskRoleArn: string;
  public readonly executionRoleArn: string;
  public readonly logGroupName: string;
  /** Web services only. */
  public readonly targetGroupArn?: string;
  /** Web services only; with the load balancer's suffix it labels ALB request-count metrics. */
  public readonly targetGroupArnSuffix?: string;
  /** Traffic-shifting web services only: the target group each deployment's new revision alternates with. */
  public readonly alternateTargetGroupArn?: string;
  public readonly alternateTargetGroupArnSuffix?: string;
  /** Every target group the service's tasks register in: the primary and, when traffic shifting, the alternate (none for a daemon). */
  public readonly targetGroupArns: string[];
  /** Traffic-shifting web services only. */
  public readonly trafficShifting?: TrafficShifting;

  constructor(scope: Construct, id: string, props: EcsServiceProps) {
    super(scope, id);
    if (props.kind === "web" && (props.routing === undefined || props.containerPort === undefined)) {
      throw new Error(`service ${props.serviceName}: a web service needs routing and a containerPort`);
    }
    if (props.trafficShifting && (props.kind !== "web" || props.taskNetwork === undefined)) {
      throw new Error(`service ${props.serviceName}: traffic shifting needs a web service with a taskNetwork (awsvpc)`);
    }
    this.containerName = props.serviceName;
    this.taskDefinitionFamily = props.family;

    const task = new Ec2TaskDefinition(this, "task", {
      family: props.family,
      logGroupName: props.logGroupName,
      logRetentionDays: props.logRetentionDays,
      executionRoleName: props.executionRoleName,
      taskRoleName: props.taskRoleName,
      taskRolePermissions: props.taskRolePermissions,
      releaseRepositoryArns: props.releaseRepositoryArns,
      region: props.region,
      accountId: props.accountId,
      networkMode: props.taskNetwork ? "awsvpc" : "bridge",
      container: {
        name: props.serviceName,
        image: props.image,
        cpu: props.cpu,
        memory: props.memory,
        memoryReservation: props.memoryReservation,
        containerPorts: props.containerPort === undefined ? [] : [props.containerPort],
        environment: props.environment ?? {},
        secrets: props.secrets ?? {},
        repositoryCredentialsSecretArn: props.repositoryCredentialsSecretArn,
        healthCheck: props.containerHealthCheck,
        stopTimeoutSeconds: props.stopTimeoutSeconds,
        logStreamPrefix: props.serviceName,
        // A slow log pipeline must not block the application's writes to stdout.
        nonBlockingLogs: true,
        readonlyRootFilesystem: props.readonlyRootFilesystem,
        writablePaths: props.writablePaths,
        user: props.user,
      },
    });
    this.logGroupName = task.logGroupName;
    this.executionRoleArn = task.executionRoleArn;
    this.taskRoleArn = task.taskRoleArn;
    this.taskDefinitionArn = task.taskDefinitionArn;

    const common = {
      name: props.serviceName,
      cluster: props.clusterArn,
      taskDefinition: task.taskDefinitionArn,
      deploymentMinimumHealthyPercent: props.minHealthyPercent,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: props.deploymentAlarmNames && { alarmNames: props.deploymentAlarmNames, enable: true, rollback: true },
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
    };

    if (props.kind === "daemon") {
      const service = new EcsServiceResource(this, "service", {
        ...common,
        schedulingStrategy: "DAEMON",
        launchType: "EC2",
        // CI deploys register new revisions; Terraform must not roll them back.
        lifecycle: { ignoreChanges: ["task_definition"] },
        dependsOn: props.dependsOn,
      });
      this.serviceName = service.name;
      this.serviceArn = service.id;
      this.targetGroupArns = [];
      return;
    }

    const routing = props.routing as ServiceRouting;
    const namePrefix = routing.targetGroupNamePrefix ?? `${props.serviceName.slice(0, 5).replace(/-+$/, "")}-`;
    if (!/^[0-9A-Za-z][0-9A-Za-z-]{0,5}$/.test(namePrefix)) {
      throw new Error(`service ${props.serviceName}: targetGroupNamePrefix "${namePrefix}" must be 1-6 letters, digits or hyphens, not starting with a hyphen`);
    }
    const targetGroupProps = {
      // A replacement (port, protocol, VPC, target type) must exist before the listener rule lets go
      // of the old group, or AWS refuses to delete it; a prefix gives the new group a name of its own.
      namePrefix,
      lifecycle: { createBeforeDestroy: true },
      tags: { Name: props.family },
      vpcId: routing.vpcId,
      // Bridge mode publishes each task on its own dynamic host port, so targets are instance:port; awsvpc tasks are their own IPs.
      targetType: props.taskNetwork ? "ip" : "instance",
      protocol: "HTTP",
      port: props.containerPort,
      deregistrationDelay: String(routing.deregistrationDelaySeconds),
      slowStart: routing.slowStartSeconds,
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: routing.healthCheck.path,
        matcher: routing.healthCheck.matcher,
        interval: routing.healthCheck.intervalSeconds,
        timeout: routing.healthCheck.timeoutSeconds,
        healthyThreshold: routing.healthCheck.healthyThreshold,
        unhealthyThreshold: routing.healthCheck.unhealthyThreshold,
      },
    };
    const targetGroup = new LbTargetGroup(this, "target-group", targetGroupProps);
    // The same group twice: ECS registers each deployment's new revision in the one not serving production.
    const alternate = props.trafficShifting && new LbTargetGroup(this, "alternate-target-group", targetGroupProps);
    this.alternateTargetGroupArn = alternate?.arn;
    this.alternateTargetGroupArnSuffix = alternate?.arnSuffix;
    this.targetGroupArn = targetGroup.arn;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.targetGroupArns = [targetGroup.arn, ...(alternate ? [alternate.arn] : [])];

    const conditions = [];
    if (routing.hostHeaders.length > 0) conditions.push({ hostHeader: { values: [...routing.hostHeaders].sort() } });
    if (routing.pathPatterns.length > 0) conditions.push({ pathPattern: { values: routing.pathPatterns } });
    const rule = new LbListenerRule(this, "listener-rule", {
      listenerArn: routing.listenerArn,
      priority: routing.priority,
      action: [alternate ? weightedForward(targetGroup.arn, alternate.arn) : { type: "forward", targetGroupArn: targetGroup.arn }],
      condition: conditions,
      // ECS rewrites the forward weights in every deployment; the weights alone cannot be ignored (a set).
      lifecycle: alternate ? { ignoreChanges: ["action"] } : undefined,
    });
    const shifting =
      props.trafficShifting &&
      alternate &&
      new TrafficShifting(this, "traffic-shifting", props.trafficShifting, {
        listenerArn: routing.listenerArn,
        conditions,
        primaryTargetGroupArn: targetGroup.arn,
        alternateTargetGroupArn: alternate.arn,
        productionRuleArn: rule.arn,
      });
    this.trafficShifting = shifting || undefined;

    const service = new EcsServiceResource(this, "service", {
      ...common,
      desiredCount: props.desiredCount,
      deploymentMaximumPercent: props.maxPercent,
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds,
      capacityProviderStrategy: props.capacityProviderStrategy?.map((item) => ({
        capacityProvider: item.capacityProvider,
        base: item.base,
        weight: item.weight,
      })),
      launchType: props.capacityProviderStrategy ? undefined : "EC2",
      // The provider refuses to plan any change of the strategy on an existing service without it
      // (capacityProviderStrategyCustomizeDiff), including a move between a launch type and a
      // strategy. It acts only when the service is updated anyway: that update then also rolls the
      // tasks onto the new placement, under the circuit breaker.
      forceNewDeployment: true,
      loadBalancer: [
        {
          targetGroupArn: targetGroup.arn,
          containerName: this.containerName,
          containerPort: props.containerPort as number,
          advancedConfiguration: shifting ? shifting.advancedConfiguration : undefined,
        },
      ],
      networkConfiguration: props.taskNetwork && { subnets: props.taskNetwork.subnetIds, securityGroups: props.taskNetwork.securityGroupIds, assignPublicIp: false },
      deploymentConfiguration: shifting ? shifting.deploymentConfiguration : undefined,
      orderedPlacementStrategy: [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "binpack", field: "memory" },
      ],
      // Autoscaling owns the count and CI deploys own the revision; Terraform must not fight either. With
      // traffic shifting, each deployment swaps the primary and alternate target groups (a set: only the whole block can be ignored).
      lifecycle: { ignoreChanges: ["desired_count", "task_definition", ...(shifting ? ["load_balancer"] : [])] },
      // ECS refuses a target group that is not yet attached to a load balancer, and a role it may not use yet.
      dependsOn: [rule, ...(shifting ? shifting.policies : []), ...(props.dependsOn ?? [])],
    });
    this.serviceName = service.name;
    this.serviceArn = service.id;
  }
}
