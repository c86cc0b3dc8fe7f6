import type { TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { synthWithGuardrails } from "../../support/guardrails";

const safeLaunchTemplate = (stack: TerraformStack) =>
  new LaunchTemplate(stack, "lt", {
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }],
  });

describe("Guardrails", () => {
  test("accept safe resources", () => {
    expect(
      synthWithGuardrails((stack) => {
        safeLaunchTemplate(stack);
        new CloudwatchLogGroup(stack, "logs", { name: "x", retentionInDays: 30 });
      }),
    ).toBe("ok");
  });

  test.each<[string, (stack: TerraformStack) => void, string]>([
    [
      "a launch template override that turns IMDSv2 off",
      (stack) => safeLaunchTemplate(stack).addOverride("metadata_options.http_tokens", "optional"),
      "[guarded/lt] launch templates must require IMDSv2 with a hop limit of 1: metadata_options.http_tokens is optional",
    ],
    [
      "a hop limit that lets containers reach instance credentials",
      (stack) => safeLaunchTemplate(stack).addOverride("metadata_options.http_put_response_hop_limit", 2),
      "[guarded/lt] launch templates must require IMDSv2 with a hop limit of 1: metadata_options.http_put_response_hop_limit is 2",
    ],
    [
      "an unencrypted launch template volume",
      (stack) => new LaunchTemplate(stack, "lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeType: "gp3" } }] }),
      "[guarded/lt] launch template volumes must be encrypted: block device /dev/xvda is not encrypted",
    ],
    ["an unencrypted EBS volume", (stack) => new EbsVolume(stack, "disk", { availabilityZone: "eu-west-1a", size: 10 }), "[guarded/disk] EBS volumes must be encrypted"],
    ["a log group that never expires", (stack) => new CloudwatchLogGroup(stack, "logs", { name: "x" }), "[guarded/logs] log groups must expire"],
    [
      "a bucket open to the public",
      (stack) => new S3BucketPublicAccessBlock(stack, "pab", { bucket: "b", blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true }),
      "[guarded/pab] buckets must block all public access: block_public_policy not true",
    ],
    [
      "SSH open to the internet",
      (stack) => new VpcSecurityGroupIngressRule(stack, "ssh", { securityGroupId: "sg-1", cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22, ipProtocol: "tcp" }),
      "[guarded/ssh] only HTTP and HTTPS may be open to the internet: ports 22-22 are open to 0.0.0.0/0",
    ],
    [
      "inline security group rules",
      (stack) => new SecurityGroup(stack, "sg", { name: "x", ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }] }),
      "[guarded/sg] security groups must declare rules as separate resources",
    ],
  ])("refuse %s, naming the construct path", (_case, build, expected) => {
    expect(synthWithGuardrails(build)).toContain(expected);
  });

  test("allow HTTPS from the internet", () => {
    expect(
      synthWithGuardrails((stack) => new VpcSecurityGroupIngressRule(stack, "https", { securityGroupId: "sg-1", cidrIpv4: "0.0.0.0/0", fromPort: 443, toPort: 443, ipProtocol: "tcp" })),
    ).toBe("ok");
  });
});
