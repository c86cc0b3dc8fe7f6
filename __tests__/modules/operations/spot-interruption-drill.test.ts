import { describe, expect, test } from "vitest";
import { SEND_SPOT_INTERRUPTIONS, SpotInterruptionDrill, type SpotInterruptionDrillProps } from "../../../modules/operations/spot-interruption-drill";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

const ALARMS = [
  "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:acme-api-api-staging-target-5xx",
  "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:acme-api-admin-staging-target-5xx",
];
const baseProps: SpotInterruptionDrillProps = {
  name: "acme-api-spot-drill-staging",
  spotInstanceTag: { key: "aws:ec2spot:fleet-request-id", value: "sfr-0123abcd-4567-89ab-cdef-0123456789ab" },
  instancesPercent: 50,
  stopConditionAlarmArns: ALARMS,
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
};
const synthDrill = (overrides: Partial<SpotInterruptionDrillProps> = {}) =>
  synthConstructs((scope) => new SpotInterruptionDrill(scope, "drill", { ...baseProps, ...overrides }));

describe("SpotInterruptionDrill", () => {
  test("GIVEN a pool tag and a share WHEN synthesized THEN FIS warns that share of the pool's running Spot instances 2 minutes ahead, as a reclaim does", () => {
    const template = soleResource(synthDrill(), "aws_fis_experiment_template");

    expect(template.target).toEqual([
      {
        name: "SpotInstances",
        resource_type: "aws:ec2:spot-instance",
        selection_mode: "PERCENT(50)",
        resource_tag: [{ key: "aws:ec2spot:fleet-request-id", value: "sfr-0123abcd-4567-89ab-cdef-0123456789ab" }],
        filter: [{ path: "State.Name", values: ["running"] }],
      },
    ]);
    expect(template.action).toEqual([
      {
        name: "interrupt",
        action_id: SEND_SPOT_INTERRUPTIONS,
        parameter: [{ key: "durationBeforeInterruption", value: "PT2M" }],
        target: { key: "SpotInstances", value: "SpotInstances" },
      },
    ]);
    expect(template.tags).toEqual({ Name: "acme-api-spot-drill-staging" });
  });

  test("GIVEN the services' 5xx alarms WHEN synthesized THEN each one stops the experiment", () => {
    const template = soleResource(synthDrill(), "aws_fis_experiment_template");

    expect(template.stop_condition).toEqual(ALARMS.map((value) => ({ source: "aws:cloudwatch:alarm", value })));
  });

  test("GIVEN the template WHEN synthesized THEN it runs as its own role, which only FIS experiments of the account may assume", () => {
    const json = synthDrill();
    const role = soleResource(json, "aws_iam_role");

    expect(soleResource(json, "aws_fis_experiment_template").role_arn).toMatch(/^\$\{aws_iam_role\.drill_role_\w+\.arn\}$/);
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "fis.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:fis:eu-west-1:123456789012:experiment/*" } },
      },
    ]);
    expect(JSON.parse(soleResource(json, "aws_iam_role_policy").policy as string).Statement[0]).toMatchObject({
      Action: "ec2:SendSpotInstanceInterruptions",
      Condition: { StringEquals: { "aws:ResourceTag/aws:ec2spot:fleet-request-id": "sfr-0123abcd-4567-89ab-cdef-0123456789ab" } },
    });
  });

  test.each([
    ["a longer warning", { durationBeforeInterruption: "PT5M" }, "PT5M"],
    ["the default", {}, "PT2M"],
  ])("GIVEN %s WHEN synthesized THEN the action waits that long", (_case, overrides, duration) => {
    const [template] = resourcesOfType(synthDrill(overrides), "aws_fis_experiment_template");
    expect(template.action[0].parameter).toEqual([{ key: "durationBeforeInterruption", value: duration }]);
  });

  test.each<[string, Partial<SpotInterruptionDrillProps>, string]>([
    ["no stop condition", { stopConditionAlarmArns: [] }, "stopConditionAlarmArns needs at least one alarm"],
    ["a share of 0", { instancesPercent: 0 }, "instancesPercent must be an integer from 1 to 100, got 0"],
    ["a share over 100", { instancesPercent: 101 }, "instancesPercent must be an integer from 1 to 100, got 101"],
  ])("GIVEN %s WHEN built THEN it fails naming the prop", (_case, overrides, message) => {
    expect(() => synthDrill(overrides)).toThrow(message);
  });
});
