import type { TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { synthWithGuardrails } from "../../support/guardrails";

const createBeforeDestroy = { createBeforeDestroy: true };
const targetGroup = (stack: TerraformStack, naming: { name?: string; namePrefix?: string }, lifecycle?: { createBeforeDestroy: boolean }) =>
  new LbTargetGroup(stack, "tg", { ...naming, port: 8080, protocol: "HTTP", vpcId: "vpc-1", targetType: "instance", lifecycle });

describe("Guardrails: create-before-destroy replacements and unique names", () => {
  test.each<[string, (stack: TerraformStack) => void]>([
    ["a target group with a name prefix, replaced create-before-destroy", (stack) => targetGroup(stack, { namePrefix: "api-" }, createBeforeDestroy)],
    ["a target group with a fixed name, replaced destroy-first (the default)", (stack) => targetGroup(stack, { name: "acme-api-api" })],
    ["a security group with a name prefix, replaced create-before-destroy", (stack) => new SecurityGroup(stack, "sg", { namePrefix: "web-", lifecycle: createBeforeDestroy })],
    ["a role with a name prefix, replaced create-before-destroy", (stack) => new IamRole(stack, "role", { namePrefix: "deploy-", assumeRolePolicy: "{}", lifecycle: createBeforeDestroy })],
  ])("accept %s", (_case, build) => {
    expect(synthWithGuardrails(build)).toBe("ok");
  });

  test.each<[string, (stack: TerraformStack) => void, string]>([
    [
      "a target group with a fixed name (DuplicateTargetGroupName on a port, protocol, VPC or target type change)",
      (stack) => targetGroup(stack, { name: "acme-api-api-8080" }, createBeforeDestroy),
      '[guarded/tg] resources replaced create-before-destroy must not have a fixed unique name: lifecycle.create_before_destroy with name "acme-api-api-8080": the replacement cannot take the name while the old one holds it; use name_prefix',
    ],
    [
      "a launch template with a fixed name",
      (stack) => new LaunchTemplate(stack, "lt", { name: "acme-api-spot", lifecycle: createBeforeDestroy }),
      '[guarded/lt] resources replaced create-before-destroy must not have a fixed unique name: lifecycle.create_before_destroy with name "acme-api-spot"',
    ],
    [
      "an alarm with a fixed name (the old alarm's deletion would delete the new one)",
      (stack) => new CloudwatchMetricAlarm(stack, "alarm", { alarmName: "acme-5xx", comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, lifecycle: createBeforeDestroy }),
      'with alarm_name "acme-5xx": the replacement cannot take the name while the old one holds it; drop create_before_destroy',
    ],
    [
      "a fixed name set through an escape hatch",
      (stack) => targetGroup(stack, { namePrefix: "api-" }, createBeforeDestroy).addOverride("name", "acme-api-api"),
      "[guarded/tg] resources replaced create-before-destroy must not have a fixed unique name",
    ],
  ])("refuse %s, naming the construct path", (_case, build, expected) => {
    expect(synthWithGuardrails(build)).toContain(expected);
  });
});
