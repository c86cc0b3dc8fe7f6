import { Aspects, CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Compute, computeNames } from "../modules/compute";
import { Guardrails } from "../modules/guardrails";
import { Naming } from "../modules/naming";
import { Network } from "../modules/network";
import type { BackendConfig, EnvironmentConfig } from "./config";

/** One environment's whole platform: one Terraform stack, one state, one workspace. */
export class PlatformStack extends TerraformStack {
  public readonly naming: Naming;
  public readonly network: Network;
  public readonly compute: Compute;

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
