import { Annotations, Aspects, CloudBackend, Lazy, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { StandaloneStack } from "./standalone-stack";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AccessLogsBucket } from "../modules/traffic/access-logs-bucket";
import { AliasRecords } from "../modules/traffic/alias-records";
import { AlertTopic } from "../modules/operations/alert-topic";
import { AmiWatch } from "../modules/operations/ami-watch";
import { Certificate } from "../modules/traffic/certificate";
import { Compute, computeNames } from "../modules/compute/compute";
import { DeployRole } from "../modules/services/deploy-role";
import { Ec2TaskDefinition } from "../modules/services/ec2-task-definition";
import { EcsService } from "../modules/services/ecs-service";
import { AspectSequence } from "../modules/platform/aspect-sequence";
import { Guardrails } from "../modules/platform/guardrails";
import { PreventDestroy } from "../modules/platform/prevent-destroy";
import { LoadBalancer } from "../modules/traffic/load-balancer";
import { listenerRulePriorities } from "../modules/traffic/listener-routing";
import { EncryptLogGroups, LogEncryptionKey } from "../modules/platform/log-encryption";
import { NAME_LIMITS, Naming } from "../modules/platform/naming";
import type { PlatformDashboard } from "../modules/observability/platform-dashboard";
import { addPlatformDashboard } from "./observability";
import { Network, type NetworkProps } from "../modules/network/network";
import { jobComponent, jobTaskDefinitionNames, serviceNames } from "../modules/services/platform-names";
import { ScheduledTask } from "../modules/jobs/scheduled-task";
import { ServiceAlarms } from "../modules/services/service-alarms";
import { ServiceAutoScaling } from "../modules/services/service-autoscaling";
import { SpotInterruptionDrainer } from "../modules/operations/spot-interruption-drainer";
import type { SpotFallback } from "../modules/operations/spot-fallback";
import { buildSpotFallback } from "./spot-fallback";
import { SpotInterruptionDrill } from "../modules/operations/spot-interruption-drill";
import { spotPoolWarnings } from "./spot-advice/advice";
import { ContainerRegistry, registryWarnings, releaseRepositoryNames } from "./container-registry";
import { aliasRecordNames, webRoutes } from "./routing";
import { ServiceDelivery } from "./progressive-delivery";
import { WebApplicationFirewall } from "../modules/traffic/web-application-firewall";
import { longestStopTimeout, type BackendConfig, type EnvironmentConfig, type ScheduledTaskConfig, type ServiceConfig } from "./config";
import { CREATE_LOG_KEY } from "./config/security";

/** One environment's whole platform: one Terraform stack, one state, one workspace. */
export class PlatformStack extends StandaloneStack {
  public readonly naming: Naming;
  public readonly network: Network;
  public readonly compute: Compute;
  public readonly loadBalancer: LoadBalancer;
  /** Every service of the environment, by its config name. */
  public readonly services: Record<string, EcsService> = {};
  /** Every scheduled job of the environment, by its config name. */
  public readonly scheduledTasks: Record<string, ScheduledTask> = {};
  /** The CI deploy identity, when `ciDeploy` is configured. */
  public readonly deployRole?: DeployRole;
  /** Drains Spot instances on interruption warnings, when `spotDrainer.enabled`. */
  public readonly spotDrainer?: SpotInterruptionDrainer;
  /** Holds capacity on on-demand while Spot cannot be had, when `spotFallback.enabled`. */
  public readonly spotFallback?: SpotFallback;
  /** The FIS experiment template that rehearses a Spot interruption, when `spotDrill.enabled`. */
  public readonly spotDrill?: SpotInterruptionDrill;
  /** Reports newer ECS-optimized AMIs, when `amiWatch.enabled`. */
  public readonly amiWatch?: AmiWatch;
  /** What the Spot Instance Advisor data says is risky about the Spot pools (unacknowledged), also added as warning annotations. */
  public readonly spotAdviceWarnings: readonly string[];
  /** The environment's ECR repositories (`ecr.repositories`). */
  public readonly registry: ContainerRegistry;
  /** What synth says about the image registry (no repository at all), also added as warning annotations. */
  public readonly registryWarnings: readonly string[];
  /** Where to look when an alarm fires: services, capacity and Spot, drains, jobs. */
  public readonly dashboard: PlatformDashboard;
  /** The topic created for the environment's alarms, when `alerts.emails` lists anyone. */
  public readonly alertTopic?: AlertTopic;
  /**
   * Whether the environment protects itself from teardown (`loadBalancer.deletionProtection`): the
   * load balancer's deletion protection, access logs kept on destroy, and `prevent_destroy` on every
   * stateful resource. Off, the environment can be torn down with one `terraform destroy`.
   */
  public readonly deletionProtection: boolean;
  /** The task definitions of jobs that bring their own image: CI deploys new revisions of them too. */
  private readonly jobTaskDefinitions: JobTaskSource[] = [];
  /** The KMS key every log group of the environment is encrypted with, when `logs.kmsKey` is set. */
  public readonly logsKeyArn?: string;
  /** What every notifying alarm of the environment triggers: the alert topic, or nothing. */
  private readonly alarmActions: string[];
  /** The deploying account and its partition, looked up once for every ARN the stack builds. */
  private readonly accountId: string;
  private readonly partition: string;
  /** The ECR repositories releases may ship from (`releaseRepositoryNames`): every execution role may pull from them. */
  private readonly releaseRepositoryArns: string[];
  /** The stack's aspects (guardrails, prevent_destroy, log encryption), applied as one. */
  private readonly aspects = new AspectSequence();

  constructor(scope: Construct, id: string, config: EnvironmentConfig) {
    super(scope, id);
    this.naming = new Naming(config.project, config.environment);

    configureBackend(this, config);
    new AwsProvider(this, "aws", {
      region: config.region,
      allowedAccountIds: config.allowedAccountIds,
      defaultTags: [{ tags: defaultTags(config) }],
    });
    Aspects.of(this).add(this.aspects);
    this.aspects.add(new Guardrails());
    this.deletionProtection = config.loadBalancer.deletionProtection;
    if (this.deletionProtection) this.aspects.add(new PreventDestroy());

    this.accountId = new DataAwsCallerIdentity(this, "account").accountId;
    this.partition = new DataAwsPartition(this, "partition").partition;
    this.releaseRepositoryArns = releaseRepositoryNames(config).map((name) => `arn:${this.partition}:ecr:${config.region}:${this.accountId}:repository/${name}`);
    this.network = new Network(this, "network", { ...this.networkSettings(config), namePrefix: this.naming.name("") });
    this.logsKeyArn = this.encryptLogs(config);

    const capacity = config.capacity;
    this.compute = new Compute(this, "compute", {
      ...capacity,
      names: computeNames(this.naming),
      partition: this.partition,
      vpcId: this.network.vpcId,
      subnetIds: this.network.instanceSubnetIds,
      assignPublicIp: this.network.assignPublicIp,
      instanceTags: { service: config.project, env: config.environment },
      // Provider default_tags never reach what the ASGs and the fleet launch: the templates carry them.
      launchedResourceTags: defaultTags(config),
      followSsmParameter: config.amiWatch.enabled && config.amiWatch.autoRefresh,
      containerInsightsLogRetentionDays: config.logs.containerInsightsLogGroup ? config.logs.retentionDays : undefined,
      // Only the drainer completes the hook; without it the hook would just delay every termination.
      drainHook: config.spotDrainer.enabled
        ? { name: this.naming.name("drain"), heartbeatTimeoutSeconds: config.spotDrainer.lifecycleHeartbeatSeconds }
        : undefined,
      fallbackOwnsOnDemandBase: config.spotFallback.enabled,
    });
    // Advice, never an error: `cdktf synth` prints warning annotations; main.ts prints them when run directly.
    this.spotAdviceWarnings = spotPoolWarnings(config);
    for (const warning of this.spotAdviceWarnings) Annotations.of(this).addWarning(warning);
    this.registryWarnings = registryWarnings(config);
    for (const warning of this.registryWarnings) Annotations.of(this).addWarning(warning);

    if (config.alerts.emails.length > 0) {
      this.alertTopic = new AlertTopic(this, "alerts", {
        topicName: this.naming.name("alerts"),
        accountId: this.accountId,
        partition: this.partition,
        emails: config.alerts.emails,
      });
    }
    const alertTopicArn = config.alerts.topicArn ?? this.alertTopic?.topicArn;
    this.alarmActions = alertTopicArn === undefined ? [] : [alertTopicArn];
    const edge = this.buildLoadBalancer(config);
    this.loadBalancer = edge.loadBalancer;
    const priorities = listenerRulePriorities(webRoutes(config));
    const delivery = ServiceDelivery.needed(config)
      ? new ServiceDelivery(this, "delivery", config, {
          naming: this.naming,
          vpcId: this.network.vpcId,
          taskSubnetIds: this.network.instanceSubnetIds,
          loadBalancer: { securityGroupId: this.loadBalancer.securityGroupId, dnsName: this.loadBalancer.dnsName, httpsEnabled: this.loadBalancer.httpsEnabled },
          alarmActions: this.alarmActions,
        })
      : undefined;
    for (const service of config.services) {
      this.services[service.name] = this.buildService(config, service, priorities.get(service.name), delivery);
    }
    const hostedZoneId = config.loadBalancer.domain?.hostedZoneId;
    if (hostedZoneId !== undefined && aliasRecordNames(config).length > 0) {
      // The certificate's names are validated in this zone, and every host is covered by them (config rule).
      new AliasRecords(this, "dns", {
        zoneId: hostedZoneId,
        names: aliasRecordNames(config),
        target: { dnsName: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId },
      });
    }
    for (const job of config.scheduledTasks) {
      this.scheduledTasks[job.name] = this.buildScheduledTask(config, job);
    }
    this.registry = new ContainerRegistry(this, "registry", { repositories: config.ecr.repositories });
    if (config.ciDeploy) this.deployRole = this.buildDeployRole(config, config.ciDeploy);
    if (config.spotDrainer.enabled) this.spotDrainer = this.buildSpotDrainer(config);
    if (config.spotDrill.enabled) this.spotDrill = this.buildSpotDrill(config);
    if (config.amiWatch.enabled) this.amiWatch = this.buildAmiWatch(config, id);
    if (config.spotFallback.enabled) this.spotFallback = buildSpotFallback(this, config, this.naming, this.compute, { partition: this.partition, accountId: this.accountId }, this.alarmActions);
    this.dashboard = addPlatformDashboard(this, config, { firewall: edge.firewall, deploymentVerification: delivery?.verificationHook, spotFallback: this.spotFallback });

    new TerraformOutput(this, "vpc_id", { description: "The environment's VPC: for peering, endpoints and other stacks that join it", value: this.network.vpcId });
    new TerraformOutput(this, "cluster_name", { description: "ECS cluster name: `aws ecs ... --cluster` in runbooks and deploys", value: this.compute.clusterName });
    new TerraformOutput(this, "cluster_arn", { description: "ECS cluster ARN: for IAM policies and tools outside this stack", value: this.compute.clusterArn });
    new TerraformOutput(this, "autoscaling_group_names", {
      description: "The Auto Scaling groups of the container instances: instance refresh, scaling activity, instance health",
      value: this.compute.autoScalingGroupNames,
    });
    if (this.compute.capacityProviderNames) {
      new TerraformOutput(this, "capacity_provider_names", {
        description: "ECS capacity providers (on-demand, Spot): for capacity provider strategies of tasks run by hand",
        value: this.compute.capacityProviderNames,
      });
    }
    if (this.compute.spotFleetRequestId) {
      new TerraformOutput(this, "spot_fleet_request_id", {
        description: "The Spot Fleet request: `aws ec2 describe-spot-fleet-request-history` shows launches, interruptions and errors",
        value: this.compute.spotFleetRequestId,
      });
    }
    if (this.spotDrainer) {
      new TerraformOutput(this, "spot_drainer_function_name", { description: "The Spot drainer Lambda: its logs are /aws/lambda/<name>", value: this.spotDrainer.functionName });
      new TerraformOutput(this, "spot_drainer_failure_queue_url", {
        description: "SQS queue of interruption events the drainer failed on (see README, Runbook)",
        value: this.spotDrainer.failureQueueUrl,
      });
    }
    if (this.spotDrill) {
      new TerraformOutput(this, "spot_drill_experiment_template_id", { description: "Rehearse a Spot interruption: `aws fis start-experiment --experiment-template-id <id>` (docs/spot.md)", value: this.spotDrill.experimentTemplateId });
    }
    if (this.amiWatch) {
      new TerraformOutput(this, "ami_updates_topic_arn", { description: "SNS topic the AMI watch reports newer ECS-optimized AMIs to: subscribe more receivers here", value: this.amiWatch.topicArn });
    }
    if (alertTopicArn !== undefined) {
      new TerraformOutput(this, "alerts_topic_arn", { description: "SNS topic every alarm of the environment notifies: subscribe paging or chat here", value: alertTopicArn });
    }
    if (this.logsKeyArn !== undefined) {
      new TerraformOutput(this, "logs_kms_key_arn", { description: "KMS key every log group of the environment is encrypted with (logs.kmsKey)", value: this.logsKeyArn });
    }
    this.addServiceOutputs(config);
    this.addScheduledTaskOutputs();
  }

  /**
   * `logs.kmsKey`: every log group of the stack, whichever construct made it, gets the key (created,
   * or given), and synthesis fails if one ends up without it.
   */
  private encryptLogs(config: EnvironmentConfig): string | undefined {
    const kmsKey = config.logs.kmsKey;
    if (kmsKey === undefined) return undefined;
    const keyArn =
      kmsKey === CREATE_LOG_KEY
        ? new LogEncryptionKey(this, "logs-key", {
            aliasName: this.naming.name("logs"),
            region: config.region,
            accountId: this.accountId,
            partition: this.partition,
          }).keyArn
        : kmsKey;
    this.aspects.add(new EncryptLogGroups(keyArn));
    return keyArn;
  }

  /** The network config, with what a created VPC's flow logs need from the rest of the environment. */
  private networkSettings(config: EnvironmentConfig): NetworkProps {
    const network = config.network;
    if (network.mode === "existing") return { ...network, namePrefix: this.naming.name("") };
    const flowLogs = { ...network.flowLogs, logRetentionDays: config.logs.retentionDays, accountId: this.accountId, partition: this.partition, region: config.region };
    return { ...network, flowLogs, namePrefix: this.naming.name("") };
  }

  /** The ALB with its access-log bucket, and HTTPS when the environment has a certificate or a domain; its firewall, when `waf` is set. */
  private buildLoadBalancer(config: EnvironmentConfig): { loadBalancer: LoadBalancer; firewall?: WebApplicationFirewall } {
    const settings = config.loadBalancer;
    const accessLogs = new AccessLogsBucket(this, "access-logs", {
      // Bucket names are global: the account id keeps two accounts' environments from colliding.
      bucketName: `${this.naming.name("alb-logs", NAME_LIMITS.bucket - 13)}-${this.accountId}`,
      prefix: config.environment,
      region: config.region,
      accountId: this.accountId,
      partition: this.partition,
      expirationDays: settings.accessLogs.expirationDays,
      // An environment that may be torn down (no deletion protection) may take its logs with it.
      forceDestroy: !this.deletionProtection,
    });
    const certificateArn =
      settings.certificateArn ??
      (settings.domain &&
        new Certificate(this, "certificate", {
          domainName: settings.domain.name,
          subjectAlternativeNames: settings.domain.subjectAlternativeNames,
          hostedZoneId: settings.domain.hostedZoneId,
        }).certificateArn);
    const loadBalancer = new LoadBalancer(this, "load-balancer", {
      name: this.naming.name("web", NAME_LIMITS.loadBalancer),
      vpcId: this.network.vpcId,
      subnetIds: this.network.publicSubnetIds,
      ingressCidrs: settings.ingressCidrs,
      idleTimeoutSeconds: settings.idleTimeoutSeconds,
      deletionProtection: this.deletionProtection,
      certificateArn,
      sslPolicy: settings.sslPolicy,
      targetSecurityGroupId: this.compute.instanceSecurityGroupId,
      accessLogs: { bucketName: accessLogs.bucketName, prefix: accessLogs.prefix },
      dependsOn: [accessLogs.policy],
    });
    const waf = settings.waf;
    if (!waf) return { loadBalancer };
    const firewall = new WebApplicationFirewall(
      this,
      "waf",
      waf.mode === "existing"
        ? { resourceArn: loadBalancer.loadBalancerArn, webAclArn: waf.webAclArn }
        : {
            resourceArn: loadBalancer.loadBalancerArn,
            name: this.naming.name("web"),
            rateLimitPerFiveMinutes: waf.rateLimitPerFiveMinutes,
            managedRulesAction: waf.managedRulesAction,
            logging: { retentionDays: config.logs.retentionDays },
          },
    );
    return { loadBalancer, firewall };
  }

  private buildService(config: EnvironmentConfig, service: ServiceConfig, priority: number | undefined, delivery: ServiceDelivery | undefined): EcsService {
    const names = serviceNames(this.naming, service.name);
    const family = names.family;
    const web = service.kind === "web";
    let deploymentAlarms: ServiceAlarms | undefined;
    const ecsService = new EcsService(this, `service-${service.name}`, {
      serviceName: names.serviceName,
      family,
      clusterArn: this.compute.clusterArn,
      region: config.region,
      accountId: this.accountId,
      kind: service.kind,
      image: service.image,
      cpu: service.cpu,
      memory: service.memory,
      memoryReservation: service.memoryReservation,
      containerPort: service.containerPort,
      containerHealthCheck: service.containerHealthCheck,
      environment: service.environment,
      secrets: service.secrets,
      repositoryCredentialsSecretArn: service.repositoryCredentialsSecretArn,
      releaseRepositoryArns: this.releaseRepositoryArns,
      stopTimeoutSeconds: service.stopTimeoutSeconds,
      readonlyRootFilesystem: service.readonlyRootFilesystem,
      writablePaths: service.writablePaths,
      user: service.user,
      logGroupName: names.logGroupName,
      logRetentionDays: service.logRetentionDays ?? config.logs.retentionDays,
      executionRoleName: names.executionRoleName,
      taskRoleName: names.taskRoleName,
      taskRolePermissions: service.taskRole,
      desiredCount: service.desiredCount,
      minHealthyPercent: service.minHealthyPercent,
      maxPercent: service.maxPercent,
      healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
      // The service's own alarms (made below, as they need its target group) roll a deploy back on 5xx or unhealthy targets.
      deploymentAlarmNames: web ? Lazy.listValue({ produce: () => deploymentAlarms?.alarmNames }) : undefined,
      capacityProviderStrategy: web ? this.compute.capacityProviderStrategy(service.capacityPool) : undefined,
      routing:
        web && priority !== undefined
          ? {
              vpcId: this.network.vpcId,
              listenerArn: this.loadBalancer.listenerArn,
              priority,
              hostHeaders: service.hostHeaders,
              pathPatterns: service.pathPatterns,
              healthCheck: service.healthCheck,
              deregistrationDelaySeconds: service.deregistrationDelaySeconds,
              slowStartSeconds: service.slowStartSeconds,
            }
          : undefined,
      ...(web && priority !== undefined && delivery?.serviceProps(service, priority)),
      // Destroy removes services before the capacity they run on.
      dependsOn: [this.compute.capacityReady],
    });
    if (ecsService.targetGroupArnSuffix !== undefined) {
      deploymentAlarms = new ServiceAlarms(this, `alarms-${service.name}`, {
        alarmNamePrefix: family,
        loadBalancerArnSuffix: this.loadBalancer.loadBalancerArnSuffix,
        targetGroupArnSuffix: ecsService.targetGroupArnSuffix,
        alternateTargetGroupArnSuffix: ecsService.alternateTargetGroupArnSuffix,
        latencyP99Seconds: service.deployment.latencyAlarmMilliseconds && service.deployment.latencyAlarmMilliseconds / 1000,
        target5xxPerMinute: service.target5xxAlarmPerMinute,
        alarmActions: this.alarmActions,
      });
    }
    if (service.autoscaling) {
      const scaling = service.autoscaling;
      new ServiceAutoScaling(this, `autoscaling-${service.name}`, {
        clusterName: this.compute.clusterName,
        serviceName: ecsService.serviceName,
        namePrefix: family,
        minCount: scaling.minCount,
        maxCount: scaling.maxCount,
        cpuTargetPercent: scaling.cpuTargetPercent,
        memoryTargetPercent: scaling.memoryTargetPercent,
        requestsPerTarget: scaling.requestsPerTarget,
        requestCountResourceLabel: `${this.loadBalancer.loadBalancerArnSuffix}/${ecsService.targetGroupArnSuffix}`,
        scaleInCooldownSeconds: scaling.scaleInCooldownSeconds,
        scaleOutCooldownSeconds: scaling.scaleOutCooldownSeconds,
        disableScaleIn: scaling.disableScaleIn,
        stepScaling: scaling.stepScaling,
      });
    }
    return ecsService;
  }

  /**
   * One job: the rule and its target run the job's service task definition with overrides, or a
   * task definition of its own for a job with its own image. Jobs with retries go through Step
   * Functions.
   */
  private buildScheduledTask(config: EnvironmentConfig, job: ScheduledTaskConfig): ScheduledTask {
    const component = jobComponent(job.name);
    const task = this.jobTaskSource(config, job);
    const stateMachineName = this.naming.name(component, NAME_LIMITS.stateMachine);
    return new ScheduledTask(this, `job-${job.name}`, {
      jobName: job.name,
      ruleName: this.naming.name(component, NAME_LIMITS.eventRule),
      scheduleExpression: job.schedule,
      enabled: job.enabled,
      eventsRoleName: this.naming.name(`${component}-events`, NAME_LIMITS.role),
      deadLetterQueueName: this.naming.name(`${component}-dlq`, NAME_LIMITS.sqsQueue),
      deadLetterAlarmName: this.naming.name(`${component}-dlq`),
      alarmActions: this.alarmActions,
      partition: this.partition,
      region: config.region,
      accountId: this.accountId,
      clusterArn: this.compute.clusterArn,
      clusterName: this.compute.clusterName,
      taskDefinitionFamily: task.taskDefinitionFamily,
      containerName: task.containerName,
      taskRoleArn: task.taskRoleArn,
      executionRoleArn: task.executionRoleArn,
      command: job.command,
      // Every job can reach the environment's services through the load balancer, also where no domain exists.
      environment: { ALB_DNS_NAME: this.loadBalancer.dnsName, ...job.environment },
      taskCount: job.taskCount,
      capacityProviderStrategy: this.compute.capacityProviderStrategy(job.capacityPool),
      retry:
        job.retries > 0
          ? {
              retries: job.retries,
              stateMachineName,
              roleName: this.naming.name(`${component}-sfn`, NAME_LIMITS.role),
              logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
              logRetentionDays: config.logs.retentionDays,
              logLevel: config.stepFunctions.logLevel,
              includeExecutionData: config.stepFunctions.includeExecutionData,
              tracing: config.stepFunctions.tracing,
              alarmName: this.naming.name(`${component}-failed`),
            }
          : undefined,
      failureSignal:
        job.retries > 0
          ? undefined
          : {
              ruleName: this.naming.name(`${component}-failed`, NAME_LIMITS.eventRule),
              queueName: this.naming.name(`${component}-failures`, NAME_LIMITS.sqsQueue),
              alarmName: this.naming.name(`${component}-failed`),
            },
    });
  }

  /** The task definition a job runs: its service's, or its own when it brings an image. */
  private jobTaskSource(config: EnvironmentConfig, job: ScheduledTaskConfig): JobTaskSource {
    if (job.image !== undefined) {
      const names = jobTaskDefinitionNames(this.naming, job.name);
      const task = new Ec2TaskDefinition(this, `job-${job.name}-task`, {
        family: names.family,
        logGroupName: names.logGroupName,
        logRetentionDays: config.logs.retentionDays,
        executionRoleName: names.executionRoleName,
        taskRoleName: names.taskRoleName,
        container: {
          name: names.containerName,
          image: job.image,
          cpu: job.cpu,
          memory: job.memory,
          logStreamPrefix: "job",
          readonlyRootFilesystem: job.readonlyRootFilesystem,
          writablePaths: job.writablePaths,
          user: job.user,
        },
        releaseRepositoryArns: this.releaseRepositoryArns,
        partition: this.partition,
        region: config.region,
        accountId: this.accountId,
      });
      this.jobTaskDefinitions.push(task);
      return task;
    }
    const service = job.service === undefined ? undefined : this.services[job.service];
    // parseEnvironmentConfig already refuses this; a stack built from an unvalidated object must not get further.
    if (!service) throw new Error(`scheduled task "${job.name}": service "${String(job.service)}" is not in this environment`);
    return service;
  }

  private buildDeployRole(config: EnvironmentConfig, ciDeploy: NonNullable<EnvironmentConfig["ciDeploy"]>): DeployRole {
    const services = Object.values(this.services);
    return new DeployRole(this, "deploy-role", {
      roleName: this.naming.name("deploy", NAME_LIMITS.role),
      provider: ciDeploy.provider,
      subjects: ciDeploy.subjects,
      oidcProviderArn: ciDeploy.oidcProviderArn,
      createOidcProvider: ciDeploy.createOidcProvider,
      partition: this.partition,
      region: config.region,
      accountId: this.accountId,
      clusterName: this.compute.clusterName,
      clusterArn: this.compute.clusterArn,
      serviceArns: services.map((service) => service.serviceArn),
      serviceNames: services.map((service) => service.serviceName),
      // Jobs with an image of their own are deployed (new revisions) and run like services.
      taskDefinitionFamilies: [...services, ...this.jobTaskDefinitions].map((task) => task.taskDefinitionFamily),
      passRoleArns: [...services, ...this.jobTaskDefinitions].flatMap((task) => [task.taskRoleArn, task.executionRoleArn]),
      // Existing repositories it may push to, and those the environment creates.
      ecrRepositories: [...new Set([...ciDeploy.ecrRepositories, ...this.registry.repositoryNames])],
    });
  }

  /**
   * The Spot interruption drainer: in spot-fleet mode the only drain path of the Spot Fleet's
   * instances, in capacity-providers mode a backstop to managed draining and the agent's own Spot
   * draining. Rebalance recommendations only in spot-fleet mode (the config refuses them otherwise).
   * It also completes the termination hooks of ASGs without managed draining (spot-fleet mode's
   * on-demand ASG); capacity-providers mode has none, managed draining covers those ASGs.
   */
  private buildSpotDrainer(config: EnvironmentConfig): SpotInterruptionDrainer {
    const drainer = config.spotDrainer;
    const drainOnRebalance = config.capacity.mode === "spot-fleet" && drainer.drainOnRebalance;
    return new SpotInterruptionDrainer(this, "spot-drainer", {
      functionName: this.naming.name("spot-drainer", NAME_LIMITS.lambda),
      interruptionRuleName: this.naming.name("spot-interruption", NAME_LIMITS.eventRule),
      lifecycleHooks: this.compute.drainHooks,
      lifecycleRuleName: this.compute.drainHooks.length > 0 ? this.naming.name("asg-terminate", NAME_LIMITS.eventRule) : undefined,
      rebalanceRuleName: drainOnRebalance ? this.naming.name("spot-rebalance", NAME_LIMITS.eventRule) : undefined,
      failureQueueName: this.naming.name("spot-drainer-failures", NAME_LIMITS.sqsQueue),
      clusterName: this.compute.clusterName,
      clusterArn: this.compute.clusterArn,
      // Alternates too: ECS swaps which group of a traffic-shifting service serves production each deployment.
      targetGroupArns: Object.values(this.services).flatMap((service) => service.targetGroupArns),
      deadlineMarginSeconds: drainer.deadlineMarginSeconds,
      stopTimeoutSeconds: longestStopTimeout(config).seconds,
      drainOnRebalance,
      // The fleet's capacity rebalance launches the replacement; the drainer is what terminates the old instance.
      terminateAfterRebalanceDrain:
        drainOnRebalance && this.compute.spotFleetRequestId !== undefined ? { spotFleetRequestId: this.compute.spotFleetRequestId } : undefined,
      reservedConcurrency: drainer.reservedConcurrency,
      tracingMode: config.lambdas.tracingMode,
      logRetentionDays: config.logs.retentionDays,
      alarmActions: this.alarmActions,
    });
  }

  /** The Spot interruption drill over the Spot pool (the fleet, or the Spot ASG), stopped by every web service's 5xx alarm. */
  private buildSpotDrill(config: EnvironmentConfig): SpotInterruptionDrill {
    const fleetId = this.compute.spotFleetRequestId;
    const spotGroup = this.compute.pools.find((pool) => pool.name === "spot")?.autoScalingGroupName ?? "";
    return new SpotInterruptionDrill(this, "spot-drill", {
      name: this.naming.name("spot-drill", NAME_LIMITS.role),
      spotInstanceTag: fleetId !== undefined ? { key: "aws:ec2spot:fleet-request-id", value: fleetId } : { key: "aws:autoscaling:groupName", value: spotGroup },
      instancesPercent: config.spotDrill.instancesPercent,
      stopConditionAlarmArns: this.node.findAll().flatMap((construct) => (construct instanceof ServiceAlarms ? [construct.target5xxAlarmArn] : [])),
      partition: this.partition,
      region: config.region,
      accountId: this.accountId,
    });
  }

  /** The AMI watcher over the ASG pools. The Spot Fleet has no ASG to check or refresh; its template takes the same AMI as the on-demand one. */
  private buildAmiWatch(config: EnvironmentConfig, stackName: string): AmiWatch {
    return new AmiWatch(this, "ami-watch", {
      functionName: this.naming.name("ami-watch", NAME_LIMITS.lambda),
      ruleName: this.naming.name("ami-watch", NAME_LIMITS.eventRule),
      topicName: this.naming.name("ami-updates"),
      environment: config.environment,
      stackName,
      region: config.region,
      partition: this.partition,
      schedule: config.amiWatch.schedule,
      emails: config.amiWatch.emails,
      autoRefresh: config.amiWatch.autoRefresh,
      minHealthyPercentage: config.capacity.instanceRefresh.minHealthyPercentage,
      pools: this.compute.pools.map((pool) => ({
        name: pool.name,
        launchTemplateId: pool.launchTemplateId,
        asgName: pool.autoScalingGroupName,
        asgArn: pool.autoScalingGroupArn,
        architecture: pool.architecture,
        pinnedAmiId: pool.pinnedAmiId,
      })),
      logRetentionDays: config.logs.retentionDays,
      tracingMode: config.lambdas.tracingMode,
      failureQueueName: this.naming.name("ami-watch-failures", NAME_LIMITS.sqsQueue),
      alarmActions: this.alarmActions,
    });
  }

  /** Shaped for CI deploy tools reading state: one object per service with everything a deploy needs. */
  private addServiceOutputs(config: EnvironmentConfig): void {
    new TerraformOutput(this, "alb_dns_name", { description: "The load balancer's DNS name: point the services' host names at it (CNAME or alias)", value: this.loadBalancer.dnsName });
    new TerraformOutput(this, "alb_zone_id", { description: "The load balancer's Route 53 zone id, for alias records", value: this.loadBalancer.zoneId });
    for (const service of config.services.filter((candidate) => candidate.kind === "web")) {
      new TerraformOutput(this, `service_${service.name.replace(/-/g, "_")}_url`, {
        description: `Where web service ${service.name} answers: its first host (or the load balancer's DNS name) and path`,
        value: serviceUrl(service, this.loadBalancer.httpsEnabled, this.loadBalancer.dnsName),
      });
    }
    for (const [name, service] of Object.entries(this.services)) {
      new TerraformOutput(this, `service_${name.replace(/-/g, "_")}`, {
        description: `ECS service ${name}: what a deploy needs to register a revision and roll it out`,
        value: {
          cluster: this.compute.clusterName,
          service: service.serviceName,
          task_family: service.taskDefinitionFamily,
          container_name: service.containerName,
          task_definition_arn: service.taskDefinitionArn,
          task_role_arn: service.taskRoleArn,
          execution_role_arn: service.executionRoleArn,
          log_group: service.logGroupName,
          ...(service.targetGroupArn !== undefined && { target_group_arn: service.targetGroupArn }),
        },
      });
    }
    if (this.deployRole) {
      new TerraformOutput(this, "deploy_role_arn", { description: "The role CI assumes through OIDC to push images and release services", value: this.deployRole.roleArn });
    }
  }

  /** Where to look when a job did not run: its rule, its dead letters, its executions. */
  private addScheduledTaskOutputs(): void {
    for (const [name, job] of Object.entries(this.scheduledTasks)) {
      new TerraformOutput(this, `scheduled_task_${name.replace(/-/g, "_")}`, {
        description: job.stateMachineArn !== undefined
          ? `Scheduled job ${name}: its rule, task definition, dead-letter queue (runs EventBridge could not start) and retrying state machine`
          : `Scheduled job ${name}: its rule, task definition, dead-letter queue (runs EventBridge could not start) and queue of failed runs`,
        value: {
          rule: job.ruleName,
          task_definition: job.taskDefinitionArn,
          dead_letter_queue_url: job.deadLetterQueueUrl,
          ...(job.stateMachineArn !== undefined && { state_machine_arn: job.stateMachineArn }),
          ...(job.failureQueueUrl !== undefined && { failed_runs_queue_url: job.failureQueueUrl }),
        },
      });
    }
  }
}

/**
 * The URL a web service answers on: https when the load balancer terminates TLS, its first exact host
 * (the load balancer's DNS name when it has only wildcards or paths), and its first path without the wildcard.
 */
export function serviceUrl(service: ServiceConfig, https: boolean, loadBalancerDnsName: string): string {
  const host = service.hostHeaders.find((candidate) => !/[*?]/.test(candidate)) ?? loadBalancerDnsName;
  const path = service.pathPatterns[0]?.replace(/[*?].*$/, "") ?? "/";
  return `${https ? "https" : "http"}://${host}${path}`;
}

/** What a scheduled job needs from the task definition it runs. */
interface JobTaskSource {
  readonly taskDefinitionFamily: string;
  readonly containerName: string;
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
}

/** Tags on every resource; the environment's own tags cannot override the three that identify it. */
export function defaultTags(config: EnvironmentConfig): Record<string, string> {
  return { ...config.tags, project: config.project, environment: config.environment, "managed-by": "cdktf" };
}

/**
 * The oldest Terraform CLI each backend works with, declared as `required_version` so an older CLI stops at init with
 * Terraform's own message instead of failing half-way: cdktf 0.21 needs 1.2; S3-native locking (`use_lockfile`) 1.10.
 */
export function requiredTerraformVersion(backend: BackendConfig): string {
  return backend.type === "s3" && backend.useLockfile ? ">= 1.10.0" : ">= 1.2.0";
}

function configureBackend(stack: TerraformStack, config: EnvironmentConfig): void {
  const backend: BackendConfig = config.backend;
  stack.addOverride("terraform.required_version", requiredTerraformVersion(backend));
  switch (backend.type) {
    case "local":
      // Relative to the stack's directory (cdktf.out/stacks/<env>), where Terraform runs: the project root, cdktf's
      // own default location, without the absolute path of the synthesizing machine in the stack.
      new LocalBackend(stack, { path: backend.path ?? `../../../terraform.${stack.node.id}.tfstate` });
      return;
    case "cloud":
      new CloudBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspaces: new NamedCloudWorkspace(backend.workspace ?? `${config.project}-${config.environment}`),
      });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key ?? `${config.project}/${config.environment}/terraform.tfstate`,
        region: backend.region ?? config.region,
        encrypt: true,
        dynamodbTable: backend.dynamodbTable,
      });
      // cdktf 0.21 predates S3-native locking (Terraform >= 1.10), so its props lack the flag.
      if (backend.useLockfile) s3.addOverride("use_lockfile", true);
      return;
    }
  }
}
