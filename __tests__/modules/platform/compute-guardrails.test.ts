import { App, Testing, TerraformResource, TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingLifecycleHook } from "@cdktf/provider-aws/lib/autoscaling-lifecycle-hook";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Guardrails } from "../../../modules/platform/guardrails";
import { ecsUserData } from "../../../modules/compute/launch-template";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const SAFE_METADATA = { httpTokens: "required", httpPutResponseHopLimit: 1 };

function problemsOf(build: (stack: TerraformStack) => TerraformResource): string[] {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "guardrails");
  return new Guardrails().problems(build(stack));
}

const group = (stack: TerraformStack, props: { protect: boolean; rebalance: boolean; managedTag: boolean }) =>
  new AutoscalingGroup(stack, "group", {
    minSize: 0,
    maxSize: 1,
    protectFromScaleIn: props.protect,
    capacityRebalance: props.rebalance,
    tag: props.managedTag ? [{ key: "AmazonECSManaged", value: "true", propagateAtLaunch: true }] : [],
  });

describe("compute guardrails", () => {
  test.each([
    ["drains", ecsUserData({ clusterName: "c", containerStopTimeoutSeconds: 30 }), []],
    ["is not for ECS", "#!/bin/bash\necho hello\n", []],
    [
      "forgets Spot draining",
      "#!/bin/bash\necho ECS_CLUSTER=c >> /etc/ecs/ecs.config\n",
      ["ECS launch templates must enable Spot instance draining: user data sets ECS_CLUSTER without ECS_ENABLE_SPOT_INSTANCE_DRAINING=true"],
    ],
    [
      "carries registry credentials",
      `${ecsUserData({ clusterName: "c", containerStopTimeoutSeconds: 30 })}ECS_ENGINE_AUTH_TYPE=dockercfg\n`,
      ["user data must not carry registry credentials: user data sets ECS_ENGINE_AUTH_*"],
    ],
    [
      "is an expression",
      "${base64encode(local.x)}",
      ["ECS launch templates must enable Spot instance draining: user_data is an expression; write it as a literal so it can be checked"],
    ],
  ])("a launch template whose user data %s", (_case, userData, expected) => {
    // GIVEN a launch template with this user data, base64-encoded as the construct does (expressions stay as they are)
    const encoded = userData.includes("${") ? userData : base64(userData);
    // WHEN checked THEN
    expect(problemsOf((stack) => new LaunchTemplate(stack, "template", { metadataOptions: SAFE_METADATA, userData: encoded }))).toEqual(expected);
  });

  test.each([
    [[{ name: "containerInsights", value: "enabled" }], []],
    [[{ name: "containerInsights", value: "enhanced" }], []],
    [[{ name: "containerInsights", value: "disabled" }], ["ECS clusters must have Container Insights: setting containerInsights is not enabled"]],
    [[], ["ECS clusters must have Container Insights: setting containerInsights is not enabled"]],
  ])("a cluster with settings %j", (setting, expected) => {
    expect(problemsOf((stack) => new EcsCluster(stack, "cluster", { name: "c", setting }))).toEqual(expected);
  });

  test.each([
    [{ protect: true, rebalance: true, managedTag: true }, []],
    [{ protect: false, rebalance: false, managedTag: false }, []],
    [
      { protect: false, rebalance: false, managedTag: true },
      ["ASGs backing capacity providers must protect from scale-in: has the AmazonECSManaged tag but protect_from_scale_in is not true"],
    ],
    [
      { protect: false, rebalance: true, managedTag: false },
      ["capacity rebalance needs ECS managed draining: capacity_rebalance is on for an ASG that backs no capacity provider"],
    ],
  ])("an ASG %j", (props, expected) => {
    expect(problemsOf((stack) => group(stack, props))).toEqual(expected);
  });

  test.each([
    ["ENABLED", "ENABLED", []],
    ["DISABLED", "ENABLED", ["capacity providers must use managed draining and managed termination protection: managed_draining not ENABLED"]],
    [undefined, "DISABLED", ["capacity providers must use managed draining and managed termination protection: managed_draining, managed_termination_protection not ENABLED"]],
  ])("a capacity provider with draining %s and termination protection %s", (managedDraining, managedTerminationProtection, expected) => {
    expect(
      problemsOf(
        (stack) =>
          new EcsCapacityProvider(stack, "provider", {
            name: "p",
            autoScalingGroupProvider: { autoScalingGroupArn: "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:x", managedDraining, managedTerminationProtection },
          }),
      ),
    ).toEqual(expected);
  });
});

describe("lifecycle hook guardrail", () => {
  test.each([
    ["CONTINUE", "CONTINUE", []],
    ["ABANDON", "ABANDON", ['lifecycle hooks must continue when nobody answers: default_result is ABANDON, expected "CONTINUE"']],
    ["unset", undefined, ['lifecycle hooks must continue when nobody answers: default_result is ABANDON (the default), expected "CONTINUE"']],
  ])("GIVEN a hook whose default result is %s WHEN checked THEN %j", (_case, defaultResult, expected) => {
    const problems = problemsOf(
      (stack) =>
        new AutoscalingLifecycleHook(stack, "hook", {
          name: "drain",
          autoscalingGroupName: "group",
          lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
          defaultResult,
        }),
    );
    expect(problems).toEqual(expected);
  });
});

