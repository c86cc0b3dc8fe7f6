import { afterEach, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { describeImageNames, getCurrentAmis, getRecommendedAmi, RECOMMENDED_PARAMETER } from "../../lambdas/ami-watch/check";

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const asg = mockClient(AutoScalingClient);
const clients = () => ({ ssm: new SSMClient({ region: "eu-west-1" }), ec2: new EC2Client({ region: "eu-west-1" }), asg: new AutoScalingClient({ region: "eu-west-1" }) });
const POOL = { name: "spot", launchTemplateId: "lt-0123456789abcdef0", asgName: "acme-api-spot-production", architecture: "x86_64" as const };

afterEach(() => {
  ssm.reset();
  ec2.reset();
  asg.reset();
  vi.restoreAllMocks();
});

describe("getRecommendedAmi", () => {
  test.each([
    ["no value", undefined, "has no image_id"],
    ["JSON without image_id", JSON.stringify({ image_name: "x" }), "has no image_id"],
    ["an image_id that is no AMI id", JSON.stringify({ image_id: "snap-0123" }), "has no image_id"],
    ["an image_id that is no string", JSON.stringify({ image_id: 42 }), "has no image_id"],
  ])("GIVEN a parameter with %s WHEN read THEN it fails naming the parameter", async (_label, Value, message) => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: RECOMMENDED_PARAMETER.x86_64, Value } });
    await expect(getRecommendedAmi(clients().ssm, "x86_64")).rejects.toThrow(`SSM parameter ${RECOMMENDED_PARAMETER.x86_64} ${message}`);
  });

  test.each([
    [{ image_id: "ami-0123456789abcdef0", image_name: "al2023-ami-ecs" }, { imageId: "ami-0123456789abcdef0", imageName: "al2023-ami-ecs" }],
    [{ image_id: "ami-0123456789abcdef0" }, { imageId: "ami-0123456789abcdef0", imageName: "" }],
    [{ image_id: "ami-0123456789abcdef0", image_name: 7 }, { imageId: "ami-0123456789abcdef0", imageName: "" }],
  ])("GIVEN %j WHEN read THEN %j, from the architecture's parameter", async (value, expected) => {
    ssm.on(GetParameterCommand, { Name: RECOMMENDED_PARAMETER.arm64 }).resolves({ Parameter: { Value: JSON.stringify(value) } });
    await expect(getRecommendedAmi(clients().ssm, "arm64")).resolves.toEqual(expected);
  });
});

describe("getCurrentAmis", () => {
  test.each([
    ["no versions", {}],
    ["a version without data", { LaunchTemplateVersions: [{}] }],
    ["a version without ImageId", { LaunchTemplateVersions: [{ LaunchTemplateData: {} }] }],
  ])("GIVEN a launch template with %s WHEN read THEN it fails naming the template", async (_label, answer) => {
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves(answer);
    const { ec2: e, asg: a } = clients();
    await expect(getCurrentAmis(e, a, POOL)).rejects.toThrow("launch template lt-0123456789abcdef0 $Latest has no ImageId");
  });

  test("GIVEN a template naming the AMI WHEN read THEN that AMI, from the template", async () => {
    ec2.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: POOL.launchTemplateId, Versions: ["$Latest"] }).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { ImageId: "ami-0aaa" } }] });
    const { ec2: e, asg: a } = clients();
    await expect(getCurrentAmis(e, a, POOL)).resolves.toEqual({ source: "launch-template", amiIds: ["ami-0aaa"] });
    expect(asg).not.toHaveReceivedAnyCommand();
  });

  describe("a template resolving the AMI at launch", () => {
    const resolving = () =>
      ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { ImageId: `resolve:ssm:${RECOMMENDED_PARAMETER.x86_64}/image_id` } }] });

    test.each([
      ["no group", { AutoScalingGroups: [] }],
      ["no answer", {}],
    ])("GIVEN %s WHEN read THEN it fails naming the group", async (_label, answer) => {
      resolving();
      asg.on(DescribeAutoScalingGroupsCommand).resolves(answer);
      const { ec2: e, asg: a } = clients();
      await expect(getCurrentAmis(e, a, POOL)).rejects.toThrow(`auto scaling group ${POOL.asgName} not found`);
    });

    test("GIVEN an empty group WHEN read THEN nothing is outdated and no instance is described", async () => {
      resolving();
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: POOL.asgName, Instances: undefined } as never] });
      const { ec2: e, asg: a } = clients();
      await expect(getCurrentAmis(e, a, POOL)).resolves.toEqual({ source: "instances", amiIds: [] });
      expect(ec2).not.toHaveReceivedCommand(DescribeInstancesCommand);
    });

    test("GIVEN in-service instances on two AMIs (one unknown) WHEN read THEN each AMI once", async () => {
      resolving();
      asg.on(DescribeAutoScalingGroupsCommand).resolves({
        AutoScalingGroups: [
          {
            Instances: [
              { InstanceId: "i-1", LifecycleState: "InService" },
              { InstanceId: "i-2", LifecycleState: "InService" },
              { InstanceId: "i-3", LifecycleState: "Terminating" },
              { LifecycleState: "InService" },
            ],
          } as never,
        ],
      });
      ec2.on(DescribeInstancesCommand, { InstanceIds: ["i-1", "i-2"] }).resolves({
        Reservations: [{ Instances: [{ ImageId: "ami-0aaa" }, { ImageId: "ami-0bbb" }] }, { Instances: [{ ImageId: "ami-0aaa" }, {}] }, {}],
      });
      const { ec2: e, asg: a } = clients();
      await expect(getCurrentAmis(e, a, POOL)).resolves.toEqual({ source: "instances", amiIds: ["ami-0aaa", "ami-0bbb"] });
    });
  });
});

describe("describeImageNames", () => {
  test("GIVEN no ids WHEN named THEN no call", async () => {
    await expect(describeImageNames(clients().ec2, [])).resolves.toEqual(new Map());
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  test("GIVEN images with and without names WHEN named THEN only the named ones, asked for exactly those ids", async () => {
    ec2.on(DescribeImagesCommand, { ImageIds: ["ami-0aaa", "ami-0bbb", "ami-0ccc"] }).resolves({ Images: [{ ImageId: "ami-0aaa", Name: "a" }, { ImageId: "ami-0bbb" }, { Name: "orphan" }] });
    await expect(describeImageNames(clients().ec2, ["ami-0aaa", "ami-0bbb", "ami-0ccc"])).resolves.toEqual(new Map([["ami-0aaa", "a"]]));
  });

  test("GIVEN DescribeImages fails WHEN named THEN no names and a warning", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    ec2.on(DescribeImagesCommand).rejects(Object.assign(new Error("gone"), { name: "InvalidAMIID.NotFound" }));
    await expect(describeImageNames(clients().ec2, ["ami-0aaa"])).resolves.toEqual(new Map());
    expect(log.mock.calls.map(([line]) => JSON.parse(String(line)))).toContainEqual(
      expect.objectContaining({ level: "warn", message: "DescribeImages failed; reporting AMI ids without names", imageIds: ["ami-0aaa"], errorName: "InvalidAMIID.NotFound" }),
    );
  });
});
