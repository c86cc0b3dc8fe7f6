import { Fn } from "cdktf";
import { describe, expect, test } from "vitest";
import { EcsLaunchTemplate, ecsOptimizedAmiParameter, ecsUserData } from "../../../modules/compute/launch-template";
import { soleResource, synthConstructs } from "../../support/synth";

const decode = (base64: string): string[] => Buffer.from(base64, "base64").toString("utf8").split("\n");

function synthTemplate(overrides: Partial<ConstructorParameters<typeof EcsLaunchTemplate>[2]> = {}) {
  const json = synthConstructs((scope) => {
    new EcsLaunchTemplate(scope, "template", {
      name: "acme-api-spot-production",
      clusterName: "acme-api-production",
      imageId: "ami-0abc12345def67890",
      instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/acme",
      securityGroupIds: ["sg-0123456789abcdef0"],
      containerStopTimeoutSeconds: 25,
      tags: { Name: "acme-api-spot-production", role: "ecs-spot" },
      ...overrides,
    });
  });
  return soleResource(json, "aws_launch_template");
}

describe("EcsLaunchTemplate", () => {
  test("user data writes the ECS agent config: cluster, Spot draining, stop timeout, no secrets", () => {
    // GIVEN a launch template for a cluster WHEN synthesized
    const template = synthTemplate();
    // THEN the base64 user data decodes to the agent config lines
    const lines = decode(template.user_data);
    expect(lines[0]).toBe("#!/bin/bash");
    expect(lines).toContain("cat <<'EOF' >> /etc/ecs/ecs.config");
    expect(lines).toContain("ECS_CLUSTER=acme-api-production");
    expect(lines).toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true");
    expect(lines).toContain("ECS_CONTAINER_STOP_TIMEOUT=25s");
    expect(lines.join("\n")).not.toMatch(/ECS_ENGINE_AUTH|password|token/i);
  });

  test("requires IMDSv2 with hop limit 1 and an encrypted gp3 root volume", () => {
    // GIVEN / WHEN
    const template = synthTemplate({ rootVolumeSizeGiB: 50 });
    // THEN
    expect(template.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
    expect(template.block_device_mappings).toEqual([
      { device_name: "/dev/xvda", ebs: { volume_size: 50, volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } },
    ]);
  });

  test.each([
    [undefined, false, "false"],
    [true, true, "true"],
  ])("detailed monitoring %s and public IP %s", (detailedMonitoring, assignPublicIp, publicIp) => {
    // GIVEN monitoring and public IP choices WHEN synthesized
    const template = synthTemplate({ detailedMonitoring, assignPublicIp });
    // THEN
    expect(template.monitoring).toEqual({ enabled: detailedMonitoring ?? false });
    expect(template.network_interfaces).toEqual([
      { device_index: 0, associate_public_ip_address: publicIp, delete_on_termination: "true", security_groups: ["sg-0123456789abcdef0"] },
    ]);
  });

  test("uses the instance profile and AMI, and tags instances, volumes and interfaces", () => {
    // GIVEN / WHEN
    const template = synthTemplate();
    // THEN
    expect(template.image_id).toBe("ami-0abc12345def67890");
    expect(template.iam_instance_profile).toEqual({ arn: "arn:aws:iam::123456789012:instance-profile/acme" });
    expect(template.tag_specifications.map((spec: { resource_type: string }) => spec.resource_type)).toEqual(["instance", "volume", "network-interface"]);
    for (const spec of template.tag_specifications) expect(spec.tags).toEqual({ Name: "acme-api-spot-production", role: "ecs-spot" });
  });

  test.each([
    ["a cdktf token", Fn.lower("acme")],
    ["a Terraform interpolation", "${aws_ecs_cluster.x.name}"],
  ])("refuses %s as cluster name (user data must stay a checkable literal)", (_kind, clusterName) => {
    // GIVEN an unresolved cluster name WHEN building user data THEN it throws
    expect(() => ecsUserData({ clusterName, containerStopTimeoutSeconds: 30 })).toThrow(/literal/);
  });

  test.each([
    ["x86_64", "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"],
    ["arm64", "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"],
  ] as const)("the %s AMI comes from %s", (architecture, parameter) => {
    expect(ecsOptimizedAmiParameter(architecture)).toBe(parameter);
  });
});
