import { Aspects, CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AmiWatch } from "../modules/ami-watch";
import { Compute, computeNames } from "../modules/compute";
import { Guardrails } from "../modules/guardrails";
import { NAME_LIMITS, Naming } from "../modules/naming";
import { Network } from "../modules/network";
import type { BackendConfig, EnvironmentConfig } from "./config";

/** One environment's whole platform: one Terraform stack, one state, one workspace. */
export class PlatformStack extends TerraformStack {
  public readonly naming: Naming;
  public readonly network: Network;
  public readonly compute: Compute;
  /** Undefined when amiWatch.enabled is false. */
  public readonly amiWatch?: AmiWatch;

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
      followSsmParameter: config.amiWatch.enabled && config.amiWatch.autoRefresh,
    });

    if (config.amiWatch.enabled) {
      this.amiWatch = new AmiWatch(this, "ami-watch", {
        functionName: this.naming.name("ami-watch", NAME_LIMITS.lambda),
        ruleName: this.naming.name("ami-watch", NAME_LIMITS.eventRule),
        topicName: this.naming.name("ami-updates"),
        environment: config.environment,
        stackName: id,
        region: config.region,
        schedule: config.amiWatch.schedule,
        emails: config.amiWatch.emails,
        autoRefresh: config.amiWatch.autoRefresh,
        minHealthyPercentage: capacity.instanceRefresh.minHealthyPercentage,
        // The Spot Fleet has no ASG to check or refresh; its template takes the same AMI as the on-demand one.
        pools: this.compute.pools.map((pool) => ({
          name: pool.name,
          launchTemplateId: pool.launchTemplateId,
          asgName: pool.autoScalingGroupName,
          asgArn: pool.autoScalingGroupArn,
          architecture: pool.architecture,
          pinnedAmiId: pool.pinnedAmiId,
        })),
        logRetentionDays: config.logs.retentionDays,
      });
    }

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
    if (this.amiWatch) {
      new TerraformOutput(this, "ami_updates_topic_arn", { value: this.amiWatch.topicArn });
    }
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
