import { Aspects, CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { AccessLogsBucket } from "../modules/access-logs-bucket";
import { Certificate } from "../modules/certificate";
import { Compute, computeNames } from "../modules/compute";
import { DeployRole } from "../modules/deploy-role";
import { EcsService } from "../modules/ecs-service";
import { Guardrails } from "../modules/guardrails";
import { LoadBalancer, listenerRulePriorities } from "../modules/load-balancer";
import { NAME_LIMITS, Naming } from "../modules/naming";
import { Network } from "../modules/network";
import { ServiceAutoScaling } from "../modules/service-autoscaling";
import type { BackendConfig, EnvironmentConfig, ServiceConfig } from "./config";

/** One environment's whole platform: one Terraform stack, one state, one workspace. */
export class PlatformStack extends TerraformStack {
  public readonly naming: Naming;
  public readonly network: Network;
  public readonly compute: Compute;
  public readonly loadBalancer: LoadBalancer;
  /** Every service of the environment, by its config name. */
  public readonly services: Record<string, EcsService> = {};
  /** The CI deploy identity, when `ciDeploy` is configured. */
  public readonly deployRole?: DeployRole;

  constructor(scope: Construct, id: string, config: EnvironmentConfig) {
    super(scope, id);
    this.naming = new Naming(config.project, config.environment);

    configureBackend(this, config);
    new AwsProvider(this, "aws", {
      region: config.region,
      allowedAccountIds: config.allowedAccountIds,
      defaultTags: [{ tags: defaultTags(config) }],
    });
    Aspects.of(this).add(new Guardrails());

    this.network = new Network(this, "network", { ...config.network, namePrefix: this.naming.name("") });

    const capacity = config.capacity;
    this.compute = new Compute(this, "compute", {
      ...capacity,
      names: computeNames(this.naming),
      vpcId: this.network.vpcId,
      subnetIds: this.network.instanceSubnetIds,
      assignPublicIp: this.network.assignPublicIp,
      instanceTags: { service: config.project, env: config.environment },
    });

    const account = new DataAwsCallerIdentity(this, "account");
    this.loadBalancer = this.buildLoadBalancer(config, account.accountId);
    const priorities = listenerRulePriorities(config.services.filter((service) => service.kind === "web"));
    for (const service of config.services) {
      this.services[service.name] = this.buildService(config, service, account.accountId, priorities.get(service.name));
    }
    if (config.ciDeploy) this.deployRole = this.buildDeployRole(config, config.ciDeploy, account.accountId);

    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    new TerraformOutput(this, "cluster_name", { value: this.compute.clusterName });
    new TerraformOutput(this, "cluster_arn", { value: this.compute.clusterArn });
    new TerraformOutput(this, "autoscaling_group_names", { value: this.compute.autoScalingGroupNames });
    if (this.compute.capacityProviderNames) {
      new TerraformOutput(this, "capacity_provider_names", { value: this.compute.capacityProviderNames });
    }
    if (this.compute.spotFleetRequestId) {
      new TerraformOutput(this, "spot_fleet_request_id", { value: this.compute.spotFleetRequestId });
    }
    this.addServiceOutputs();
  }

  /** The ALB with its access-log bucket, and HTTPS when the environment has a certificate or a domain. */
  private buildLoadBalancer(config: EnvironmentConfig, accountId: string): LoadBalancer {
    const settings = config.loadBalancer;
    const accessLogs = new AccessLogsBucket(this, "access-logs", {
      // Bucket names are global: the account id keeps two accounts' environments from colliding.
      bucketName: `${this.naming.name("alb-logs", NAME_LIMITS.bucket - 13)}-${accountId}`,
      prefix: config.environment,
      expirationDays: settings.accessLogs.expirationDays,
      // An environment that may be torn down (no deletion protection) may take its logs with it.
      forceDestroy: !settings.deletionProtection,
    });
    const certificateArn =
      settings.certificateArn ??
      (settings.domain &&
        new Certificate(this, "certificate", {
          domainName: settings.domain.name,
          subjectAlternativeNames: settings.domain.subjectAlternativeNames,
          hostedZoneId: settings.domain.hostedZoneId,
        }).certificateArn);
    return new LoadBalancer(this, "load-balancer", {
      name: this.naming.name("web", NAME_LIMITS.loadBalancer),
      vpcId: this.network.vpcId,
      subnetIds: this.network.publicSubnetIds,
      ingressCidrs: settings.ingressCidrs,
      idleTimeoutSeconds: settings.idleTimeoutSeconds,
      deletionProtection: settings.deletionProtection,
      certificateArn,
      sslPolicy: settings.sslPolicy,
      targetSecurityGroupId: this.compute.instanceSecurityGroupId,
      accessLogs: { bucketName: accessLogs.bucketName, prefix: accessLogs.prefix },
      dependsOn: [accessLogs.policy],
    });
  }

  private buildService(config: EnvironmentConfig, service: ServiceConfig, accountId: string, priority: number | undefined): EcsService {
    const family = this.naming.name(service.name);
    const web = service.kind === "web";
    const ecsService = new EcsService(this, `service-${service.name}`, {
      serviceName: service.name,
      family,
      clusterArn: this.compute.clusterArn,
      region: config.region,
      accountId,
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
      stopTimeoutSeconds: service.stopTimeoutSeconds,
      logGroupName: `/ecs/${family}`,
      logRetentionDays: service.logRetentionDays ?? config.logs.retentionDays,
      executionRoleName: this.naming.name(`${service.name}-execution`, NAME_LIMITS.role),
      taskRoleName: this.naming.name(`${service.name}-task`, NAME_LIMITS.role),
      desiredCount: service.desiredCount,
      minHealthyPercent: service.minHealthyPercent,
      maxPercent: service.maxPercent,
      healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
      capacityProviderStrategy: web ? this.compute.capacityProviderStrategy(service.capacityPool) : undefined,
      routing:
        web && priority !== undefined
          ? {
              vpcId: this.network.vpcId,
              listenerArn: this.loadBalancer.listenerArn,
              priority,
              hostHeaders: service.hostHeaders,
              pathPatterns: service.pathPatterns,
              targetGroupName: this.naming.name(service.name, NAME_LIMITS.loadBalancer),
              healthCheck: service.healthCheck,
              deregistrationDelaySeconds: service.deregistrationDelaySeconds,
              slowStartSeconds: service.slowStartSeconds,
            }
          : undefined,
      // Destroy removes services before the capacity they run on.
      dependsOn: [this.compute.capacityReady],
    });
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

  private buildDeployRole(config: EnvironmentConfig, ciDeploy: NonNullable<EnvironmentConfig["ciDeploy"]>, accountId: string): DeployRole {
    const services = Object.values(this.services);
    return new DeployRole(this, "deploy-role", {
      roleName: this.naming.name("deploy", NAME_LIMITS.role),
      provider: ciDeploy.provider,
      subjects: ciDeploy.subjects,
      oidcProviderArn: ciDeploy.oidcProviderArn,
      region: config.region,
      accountId,
      clusterName: this.compute.clusterName,
      clusterArn: this.compute.clusterArn,
      serviceArns: services.map((service) => service.serviceArn),
      taskDefinitionFamilies: services.map((service) => service.taskDefinitionFamily),
      passRoleArns: services.flatMap((service) => [service.taskRoleArn, service.executionRoleArn]),
      ecrRepositories: ciDeploy.ecrRepositories,
    });
  }

  /** Shaped for CI deploy tools reading state: one object per service with everything a deploy needs. */
  private addServiceOutputs(): void {
    new TerraformOutput(this, "alb_dns_name", { value: this.loadBalancer.dnsName });
    new TerraformOutput(this, "alb_zone_id", { value: this.loadBalancer.zoneId });
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
    if (this.deployRole) new TerraformOutput(this, "deploy_role_arn", { value: this.deployRole.roleArn });
  }
}

/** Tags on every resource; the environment's own tags cannot override the three that identify it. */
export function defaultTags(config: EnvironmentConfig): Record<string, string> {
  return { ...config.tags, project: config.project, environment: config.environment, "managed-by": "cdktf" };
}

function configureBackend(stack: TerraformStack, config: EnvironmentConfig): void {
  const backend: BackendConfig = config.backend;
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, backend.path ? { path: backend.path } : {});
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
