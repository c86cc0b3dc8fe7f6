import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeAutoScalingGroupsCommand, type AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { Architecture, PoolConfig } from "./config";
import { errorFields, log } from "./log";

/** Public ECS-optimized AL2023 parameters; the value is JSON with image_id, image_name, ... */
export const RECOMMENDED_PARAMETER: Record<Architecture, string> = {
  x86_64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended",
  arm64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended",
};

const SSM_PREFIX = "resolve:ssm:";

export interface RecommendedAmi {
  imageId: string;
  imageName: string;
}

export async function getRecommendedAmi(ssm: SSMClient, architecture: Architecture): Promise<RecommendedAmi> {
  const name = RECOMMENDED_PARAMETER[architecture];
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
  const value = JSON.parse(Parameter?.Value ?? "null") as { image_id?: unknown; image_name?: unknown } | null;
  if (typeof value?.image_id !== "string" || !value.image_id.startsWith("ami-")) {
    throw new Error(`SSM parameter ${name} has no image_id`);
  }
  return { imageId: value.image_id, imageName: typeof value.image_name === "string" ? value.image_name : "" };
}

/**
 * "launch-template": the template names the AMI, so changing it needs a new template version (cdktf deploy).
 * "instances": the template resolves an SSM parameter at launch, so the template never changes and only the
 * running instances tell which AMI is in use.
 */
export type AmiSource = "launch-template" | "instances";

export interface CurrentAmis {
  source: AmiSource;
  amiIds: string[];
}

export async function getCurrentAmis(ec2: EC2Client, asg: AutoScalingClient, pool: PoolConfig): Promise<CurrentAmis> {
  const imageId = await getLatestTemplateImageId(ec2, pool.launchTemplateId);
  if (!imageId.startsWith(SSM_PREFIX)) return { source: "launch-template", amiIds: [imageId] };
  return { source: "instances", amiIds: await getInServiceAmis(ec2, asg, pool.asgName) };
}

async function getLatestTemplateImageId(ec2: EC2Client, launchTemplateId: string): Promise<string> {
  const { LaunchTemplateVersions } = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: ["$Latest"] }),
  );
  const imageId = LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId;
  if (!imageId) throw new Error(`launch template ${launchTemplateId} $Latest has no ImageId`);
  return imageId;
}

async function getInServiceAmis(ec2: EC2Client, asg: AutoScalingClient, asgName: string): Promise<string[]> {
  const { AutoScalingGroups } = await asg.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }),
  );
  const group = AutoScalingGroups?.[0];
  if (!group) throw new Error(`auto scaling group ${asgName} not found`);
  const instanceIds = (group.Instances ?? [])
    .filter((i) => i.LifecycleState === "InService" && i.InstanceId)
    .map((i) => i.InstanceId as string);
  // An empty group has nothing outdated: its next launch resolves the parameter afresh.
  if (instanceIds.length === 0) return [];
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const amiIds = (Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.ImageId);
  return [...new Set(amiIds.filter((id): id is string => id !== undefined))];
}

/** Names only make the message nicer, so any failure just yields no names. */
export async function describeImageNames(ec2: EC2Client, imageIds: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (imageIds.length === 0) return names;
  try {
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: imageIds }));
    for (const image of Images ?? []) {
      if (image.ImageId && image.Name) names.set(image.ImageId, image.Name);
    }
  } catch (err) {
    // Deregistered or unshared AMIs make DescribeImages fail; the ids alone are still useful.
    log("warn", "DescribeImages failed; reporting AMI ids without names", { imageIds, ...errorFields(err) });
  }
  return names;
}
