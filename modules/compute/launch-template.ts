import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";

/** The public SSM parameter holding the current ECS-optimized Amazon Linux 2023 AMI for an architecture. */
export function ecsOptimizedAmiParameter(architecture: "x86_64" | "arm64"): string {
  return architecture === "arm64"
    ? "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
    : "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
}

export interface EcsUserDataOptions {
  /** The cluster to join; a literal name, never a token, so the user data stays inspectable. */
  readonly clusterName: string;
  /** `ECS_CONTAINER_STOP_TIMEOUT`: SIGTERM-to-SIGKILL grace for containers without their own stopTimeout. */
  readonly containerStopTimeoutSeconds: number;
}

/**
 * The instance's user data: the ECS agent configuration and nothing else. Spot draining is on in
 * every pool (the agent sets the instance DRAINING on the 2-minute warning). No secrets: private
 * registry credentials belong in the task definition's `repositoryCredentials`.
 */
export function ecsUserData(options: EcsUserDataOptions): string {
  if (Token.isUnresolved(options.clusterName) || options.clusterName.includes("${")) {
    throw new Error("ecsUserData: clusterName must be a literal string, not a token");
  }
  return [
    "#!/bin/bash",
    "cat <<'EOF' >> /etc/ecs/ecs.config",
    `ECS_CLUSTER=${options.clusterName}`,
    "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
    `ECS_CONTAINER_STOP_TIMEOUT=${options.containerStopTimeoutSeconds}s`,
    "EOF",
    "",
  ].join("\n");
}

export interface EcsLaunchTemplateProps {
  /** Launch template name. */
  readonly name: string;
  /** Literal name of the ECS cluster the instances join. */
  readonly clusterName: string;
  /** AMI id, usually the ECS-optimized AL2023 image resolved from `ecsOptimizedAmiParameter`. */
  readonly imageId: string;
  readonly instanceProfileArn: string;
  readonly securityGroupIds: string[];
  /**
   * Public IP on the primary interface, for subnets without NAT.
   * @default false
   */
  readonly assignPublicIp?: boolean;
  /**
   * Encrypted gp3 root volume size (the ECS-optimized AL2023 snapshot is 30 GiB).
   * @default 30
   */
  readonly rootVolumeSizeGiB?: number;
  /**
   * One-minute CloudWatch instance metrics (billed).
   * @default false
   */
  readonly detailedMonitoring?: boolean;
  /**
   * `ECS_CONTAINER_STOP_TIMEOUT` in seconds.
   * @default 30
   */
  readonly containerStopTimeoutSeconds?: number;
  /**
   * Tags for the instances, their volumes and network interfaces (fleets do not copy provider default tags).
   * @default {}
   */
  readonly tags?: Record<string, string>;
  /**
   * Resources the instances need before they boot (cluster, instance role policies); also keeps
   * them alive until every instance built from this template is gone.
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** One capacity pool's launch template: ECS-optimized AMI, IMDSv2 only (hop limit 1), encrypted gp3 root volume. */
export class EcsLaunchTemplate extends Construct {
  public readonly launchTemplateId: string;
  public readonly launchTemplateArn: string;
  /** Latest version number as a string: referencing it makes ASGs roll (instance refresh) on every change. */
  public readonly latestVersion: string;
  /** The plain-text user data (base64-encoded in the template). */
  public readonly userData: string;

  constructor(scope: Construct, id: string, props: EcsLaunchTemplateProps) {
    super(scope, id);
    this.userData = ecsUserData({ clusterName: props.clusterName, containerStopTimeoutSeconds: props.containerStopTimeoutSeconds ?? 30 });
    const tags = props.tags ?? {};
    const template = new LaunchTemplate(this, "template", {
      name: props.name,
      imageId: props.imageId,
      iamInstanceProfile: { arn: props.instanceProfileArn },
      networkInterfaces: [
        {
          deviceIndex: 0,
          associatePublicIpAddress: String(props.assignPublicIp ?? false),
          deleteOnTermination: "true",
          securityGroups: props.securityGroupIds,
        },
      ],
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: props.rootVolumeSizeGiB ?? 30, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      monitoring: { enabled: props.detailedMonitoring ?? false },
      userData: Buffer.from(this.userData, "utf8").toString("base64"),
      updateDefaultVersion: true,
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags })),
      tags,
      dependsOn: props.dependsOn,
    });
    this.launchTemplateId = template.id;
    this.launchTemplateArn = template.arn;
    this.latestVersion = Token.asString(template.latestVersion);
  }
}
