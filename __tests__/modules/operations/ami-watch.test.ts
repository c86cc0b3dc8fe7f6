import { describe, expect, test } from "vitest";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AmiWatch, type AmiWatchPool, type AmiWatchProps } from "../../../modules/operations/ami-watch";
import { loadConfig } from "../../../lambdas/ami-watch/config";
import { dataSourcesOfType, resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

const ON_DEMAND: AmiWatchPool = {
  name: "on-demand",
  launchTemplateId: "lt-0123456789abcdef0",
  asgName: "acme-api-on-demand-production",
  asgArn: "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/acme-api-on-demand-production",
  architecture: "x86_64",
};
const SPOT: AmiWatchPool = {
  name: "spot",
  launchTemplateId: "lt-0fedcba9876543210",
  asgName: "acme-api-spot-production",
  asgArn: "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:66666666-7777-8888-9999-000000000000:autoScalingGroupName/acme-api-spot-production",
  architecture: "x86_64",
};

const baseProps: Omit<AmiWatchProps, "partition"> = {
  functionName: "acme-api-ami-watch-production",
  ruleName: "acme-api-ami-watch-production",
  topicName: "acme-api-ami-updates-production",
  environment: "production",
  stackName: "production",
  region: "eu-west-1",
  schedule: "rate(1 day)",
  pools: [ON_DEMAND, SPOT],
  emails: ["oncall@example.com", "platform@example.com"],
  logRetentionDays: 30,
};

function synthWatch(overrides: Partial<AmiWatchProps> = {}): Synthesized {
  // The partition as the stack passes it: its own data source.
  return synthConstructs((scope) => new AmiWatch(scope, "ami-watch", { ...baseProps, partition: new DataAwsPartition(scope, "partition").partition, ...overrides }));
}

interface Statement {
  sid?: string;
  effect?: string;
  actions: string[];
  resources?: string[];
  condition?: unknown;
}

function statements(json: Synthesized): Statement[] {
  return dataSourcesOfType(json, "aws_iam_policy_document").flatMap((document) => (document.statement ?? []) as Statement[]);
}

function allowedActions(json: Synthesized): string[] {
  return statements(json).flatMap((statement) => (statement.effect === "Deny" ? [] : statement.actions));
}

function statementFor(json: Synthesized, action: string): Statement {
  const found = statements(json).filter((statement) => statement.actions.includes(action));
  if (found.length !== 1) throw new Error(`expected one statement with ${action}, found ${found.length}`);
  return found[0];
}

describe("AmiWatch", () => {
  test("runs on the configured schedule, invoked only by its rule", () => {
    // GIVEN / WHEN
    const json = synthWatch({ schedule: "cron(0 6 ? * MON-FRI *)" });

    // THEN
    const rule = soleResource(json, "aws_cloudwatch_event_rule");
    expect(rule).toMatchObject({ name: "acme-api-ami-watch-production", schedule_expression: "cron(0 6 ? * MON-FRI *)" });
    expect(rule.event_pattern).toBeUndefined();
    const target = soleResource(json, "aws_cloudwatch_event_target");
    expect(target.arn).toMatch(/^\$\{aws_lambda_function\..+\.arn\}$/);
    expect(target.rule).toMatch(/^\$\{aws_cloudwatch_event_rule\..+\.name\}$/);
    const permission = soleResource(json, "aws_lambda_permission");
    expect(permission).toMatchObject({ action: "lambda:InvokeFunction", principal: "events.amazonaws.com" });
    expect(permission.source_arn).toMatch(/^\$\{aws_cloudwatch_event_rule\..+\.arn\}$/);
  });

  test("notifies through an encrypted topic with one e-mail subscription per address", () => {
    // GIVEN / WHEN
    const json = synthWatch();

    // THEN
    expect(soleResource(json, "aws_sns_topic")).toMatchObject({ name: "acme-api-ami-updates-production", kms_master_key_id: "alias/aws/sns" });
    const subscriptions = resourcesOfType(json, "aws_sns_topic_subscription");
    expect(subscriptions.map((subscription) => subscription.endpoint).sort()).toEqual(["oncall@example.com", "platform@example.com"]);
    for (const subscription of subscriptions) {
      expect(subscription.protocol).toBe("email");
      expect(subscription.topic_arn).toMatch(/^\$\{aws_sns_topic\..+\.arn\}$/);
    }
  });

  test("without e-mail addresses the topic has no subscriptions", () => {
    expect(resourcesOfType(synthWatch({ emails: [] }), "aws_sns_topic_subscription")).toHaveLength(0);
  });

  test("passes the handler every setting it reads, in a form its config loader accepts", () => {
    // GIVEN / WHEN
    const json = synthWatch({ pools: [ON_DEMAND, { ...SPOT, pinnedAmiId: "ami-0abc12345def67890" }], minHealthyPercentage: 75, instanceWarmupSeconds: 180 });

    // THEN
    const variables = soleResource(json, "aws_lambda_function").environment.variables as Record<string, string>;
    expect(variables).toMatchObject({
      ENVIRONMENT: "production",
      STACK_NAME: "production",
      AUTO_REFRESH: "false",
      MIN_HEALTHY_PERCENTAGE: "75",
      INSTANCE_WARMUP_SECONDS: "180",
    });
    expect(variables.TOPIC_ARN).toMatch(/^\$\{aws_sns_topic\..+\.arn\}$/);
    // POOLS is rendered by Terraform's jsonencode; with literal inputs its argument is JSON with HCL's `=` for `:`.
    const hcl = /^\$\{jsonencode\((.*)\)\}$/s.exec(variables.POOLS)?.[1] ?? "null";
    const pools = JSON.parse(hcl.replace(/" = /g, '": ')) as unknown;
    const config = loadConfig({ ...variables, POOLS: JSON.stringify(pools), TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:acme-api-ami-updates-production" });
    expect(config.pools).toEqual([
      { name: "on-demand", launchTemplateId: ON_DEMAND.launchTemplateId, asgName: ON_DEMAND.asgName, architecture: "x86_64" },
      { name: "spot", launchTemplateId: SPOT.launchTemplateId, asgName: SPOT.asgName, architecture: "x86_64", pinnedAmiId: "ami-0abc12345def67890" },
    ]);
    expect(config).toMatchObject({ environment: "production", stackName: "production", autoRefresh: false, minHealthyPercentage: 75, instanceWarmupSeconds: 180 });
  });

  test("refuses to watch nothing", () => {
    expect(() => synthWatch({ pools: [] })).toThrow(/pools must list at least one pool/);
  });

  describe("IAM", () => {
    test("reads only the public ECS-optimized AL2023 parameters of its region", () => {
      const statement = statementFor(synthWatch(), "ssm:GetParameter");
      expect(statement.actions).toEqual(["ssm:GetParameter"]);
      expect(statement.resources).toEqual([
        expect.stringMatching(/^arn:\$\{data\.aws_partition\..+\.partition\}:ssm:eu-west-1::parameter\/aws\/service\/ecs\/optimized-ami\/amazon-linux-2023\/\*$/),
      ]);
    });

    test("describes templates, images, instances and groups (no resource-level permissions), nothing more on *", () => {
      const json = synthWatch();
      const wildcard = statements(json).filter((statement) => statement.resources?.includes("*"));
      expect(wildcard.flatMap((statement) => statement.actions).sort()).toEqual([
        "autoscaling:DescribeAutoScalingGroups",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeLaunchTemplateVersions",
      ]);
    });

    test("publishes only to its own topic", () => {
      const statement = statementFor(synthWatch(), "sns:Publish");
      expect(statement.actions).toEqual(["sns:Publish"]);
      expect(statement.resources).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\..+\.arn\}$/)]);
    });

    test.each([
      { case: "autoRefresh off", autoRefresh: false, pools: [ON_DEMAND, SPOT], refreshable: [] },
      { case: "autoRefresh on", autoRefresh: true, pools: [ON_DEMAND, SPOT], refreshable: [ON_DEMAND.asgArn, SPOT.asgArn] },
      { case: "autoRefresh on, spot pinned", autoRefresh: true, pools: [ON_DEMAND, { ...SPOT, pinnedAmiId: "ami-0abc12345def67890" }], refreshable: [ON_DEMAND.asgArn] },
      { case: "autoRefresh on, all pinned", autoRefresh: true, pools: [{ ...ON_DEMAND, pinnedAmiId: "ami-0abc12345def67890" }], refreshable: [] },
    ])("$case: may refresh exactly $refreshable.length groups", ({ autoRefresh, pools, refreshable }) => {
      // GIVEN / WHEN
      const json = synthWatch({ autoRefresh, pools });

      // THEN
      const refresh = statements(json).filter((statement) => statement.actions.includes("autoscaling:StartInstanceRefresh"));
      expect(refresh.flatMap((statement) => statement.resources ?? [])).toEqual(refreshable);
      expect(refresh.flatMap((statement) => statement.actions)).toEqual(refreshable.length > 0 ? ["autoscaling:StartInstanceRefresh"] : []);
      expect(soleResource(json, "aws_lambda_function").environment.variables.AUTO_REFRESH).toBe(String(autoRefresh));
    });

    test("grants nothing beyond its reads, the topic, its logs and the refresh", () => {
      expect(allowedActions(synthWatch({ autoRefresh: true })).sort()).toEqual([
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:StartInstanceRefresh",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeLaunchTemplateVersions",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sns:Publish",
        "sqs:SendMessage",
        "ssm:GetParameter",
        "sts:AssumeRole",
      ]);
    });
  });
});

describe("AmiWatch: failed runs", () => {
  test("GIVEN alarm actions WHEN synthesized THEN a failed run (a pool it could not check) alarms there, and is not retried by Lambda", () => {
    // GIVEN / WHEN
    const topic = "arn:aws:sns:eu-west-1:123456789012:acme-api-alerts-production";
    const json = synthWatch({ alarmActions: [topic] });
    // THEN
    // (The other alarm is the failure queue's: it keeps the failed events.)
    const [alarm] = resourcesOfType(json, "aws_cloudwatch_metric_alarm").filter((candidate) => candidate.namespace === "AWS/Lambda");
    expect(alarm).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: [topic],
      ok_actions: [topic],
    });
    expect(alarm.dimensions.FunctionName).toMatch(/^\$\{aws_lambda_function\.[^.]+\.function_name\}$/);
    expect(soleResource(json, "aws_lambda_function_event_invoke_config")).toMatchObject({ maximum_retry_attempts: 0 });
  });
});
