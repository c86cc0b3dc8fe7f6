import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { DRAINER_METRICS } from "../../../lambdas/spot-drainer/metrics";
import { bundleLambda } from "../../../modules/operations/lambda-bundle";
import { SpotInterruptionDrainer, type SpotInterruptionDrainerProps } from "../../../modules/operations/spot-interruption-drainer";
import { dataSourcesOfType, resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

const SPOT = "EC2 Spot Instance Interruption Warning";
const REBALANCE = "EC2 Instance Rebalance Recommendation";
const CLUSTER_ARN = "arn:aws:ecs:eu-west-1:123456789012:cluster/acme-api-staging";
const TARGET_GROUPS = [
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/acme-api-api-staging/0123456789abcdef",
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/acme-api-web-staging/fedcba9876543210",
];

const baseProps: SpotInterruptionDrainerProps = {
  functionName: "acme-api-spot-drainer-staging",
  interruptionRuleName: "acme-api-spot-interruption-staging",
  rebalanceRuleName: "acme-api-spot-rebalance-staging",
  failureQueueName: "acme-api-spot-drainer-failures-staging",
  clusterName: "acme-api-staging",
  clusterArn: CLUSTER_ARN,
  targetGroupArns: TARGET_GROUPS,
  deadlineMarginSeconds: 10,
  stopTimeoutSeconds: 30,
  reservedConcurrency: 10,
  logRetentionDays: 14,
};

function synthDrainer(overrides: Partial<SpotInterruptionDrainerProps> = {}): Synthesized {
  return synthConstructs((scope) => new SpotInterruptionDrainer(scope, "drainer", { ...baseProps, ...overrides }));
}

interface Statement {
  sid?: string;
  actions: string[];
  resources?: string[];
  condition?: Array<{ test: string; variable: string; values: string[] }>;
}

function statements(json: Synthesized): Statement[] {
  return dataSourcesOfType(json, "aws_iam_policy_document").flatMap((document) => (document.statement ?? []) as Statement[]);
}

function statementFor(json: Synthesized, action: string): Statement {
  const found = statements(json).filter((statement) => statement.actions.includes(action));
  if (found.length !== 1) throw new Error(`expected one statement with ${action}, found ${found.length}`);
  return found[0];
}

function rulesByDetailType(json: Synthesized): Map<string, Record<string, any>> {
  return new Map(
    resourcesOfType(json, "aws_cloudwatch_event_rule").map((rule) => {
      const pattern = JSON.parse(rule.event_pattern as string) as { "detail-type": string[] };
      return [pattern["detail-type"][0], rule];
    }),
  );
}

describe("SpotInterruptionDrainer", () => {
  test("subscribes the function to EC2 Spot interruption warnings only", () => {
    // GIVEN / WHEN
    const json = synthDrainer();

    // THEN one rule, matching exactly the documented pattern
    const rule = soleResource(json, "aws_cloudwatch_event_rule");
    expect(rule.name).toBe("acme-api-spot-interruption-staging");
    expect(JSON.parse(rule.event_pattern as string)).toEqual({ source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] });
    expect(rule.schedule_expression).toBeUndefined();
  });

  test("targets the function and lets only that rule invoke it", () => {
    // GIVEN / WHEN
    const json = synthDrainer();

    // THEN
    const target = soleResource(json, "aws_cloudwatch_event_target");
    expect(target.arn).toMatch(/^\$\{aws_lambda_function\.drainer_function_.+\.arn\}$/);
    expect(target.rule).toMatch(/^\$\{aws_cloudwatch_event_rule\..+\.name\}$/);
    expect(target.retry_policy).toEqual({ maximum_event_age_in_seconds: 120, maximum_retry_attempts: 2 });
    const permission = soleResource(json, "aws_lambda_permission");
    expect(permission).toMatchObject({ action: "lambda:InvokeFunction", principal: "events.amazonaws.com" });
    expect(permission.source_arn).toMatch(/^\$\{aws_cloudwatch_event_rule\..+\.arn\}$/);
    expect(permission.function_name).toMatch(/^\$\{aws_lambda_function\.drainer_function_.+\.function_name\}$/);
  });

  test("runs as long as its own deadline can reach (the 2-minute warning), with reserved concurrency", () => {
    // GIVEN / WHEN
    const json = synthDrainer({ reservedConcurrency: 25 });

    // THEN
    const fn = soleResource(json, "aws_lambda_function");
    expect(fn).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], timeout: 120, reserved_concurrent_executions: 25 });
    // The handler's deadline is at most event time + 120 s − margin: from an invocation at the event time, that must fit the timeout.
    expect(fn.timeout).toBeGreaterThanOrEqual(120 - Number(fn.environment.variables.DEADLINE_MARGIN_SECONDS));
  });

  test("passes the handler every setting it reads", () => {
    // GIVEN / WHEN
    const json = synthDrainer({ deadlineMarginSeconds: 15, stopTimeoutSeconds: 45 });

    // THEN
    expect(soleResource(json, "aws_lambda_function").environment.variables).toEqual({
      CLUSTER_NAME: "acme-api-staging",
      DEADLINE_MARGIN_SECONDS: "15",
      TARGET_GROUP_ARNS: `\${join(",", ${JSON.stringify(TARGET_GROUPS).replace(/,/g, ", ")})}`,
      DRAIN_ON_REBALANCE: "false",
      STOP_TIMEOUT_SECONDS: "45",
    });
  });

  test("never retries an event and keeps failed ones in an encrypted queue", () => {
    // GIVEN / WHEN
    const json = synthDrainer();

    // THEN
    const invokeConfig = soleResource(json, "aws_lambda_function_event_invoke_config");
    expect(invokeConfig).toMatchObject({ maximum_retry_attempts: 0, maximum_event_age_in_seconds: 120 });
    expect(invokeConfig.destination_config.on_failure.destination).toMatch(/^\$\{aws_sqs_queue\..+\.arn\}$/);
    expect(invokeConfig.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\./)]);
    expect(soleResource(json, "aws_sqs_queue")).toMatchObject({ name: "acme-api-spot-drainer-failures-staging", sqs_managed_sse_enabled: true });
    expect(statementFor(json, "sqs:SendMessage").resources).toEqual([expect.stringMatching(/^\$\{aws_sqs_queue\..+\.arn\}$/)]);
  });

  test("alarms on failed events waiting in the queue and on function errors", () => {
    // GIVEN / WHEN
    const json = synthDrainer({ alarmActions: ["arn:aws:sns:eu-west-1:123456789012:alerts"] });

    // THEN
    const alarms = new Map(resourcesOfType(json, "aws_cloudwatch_metric_alarm").map((alarm) => [alarm.metric_name, alarm]));
    expect(alarms.get("ApproximateNumberOfMessagesVisible")).toMatchObject({
      namespace: "AWS/SQS",
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: ["arn:aws:sns:eu-west-1:123456789012:alerts"],
    });
    expect(alarms.get("ApproximateNumberOfMessagesVisible")?.dimensions.QueueName).toMatch(/^\$\{aws_sqs_queue\..+\.name\}$/);
    expect(alarms.get("Errors")).toMatchObject({ namespace: "AWS/Lambda", statistic: "Sum", threshold: 0, comparison_operator: "GreaterThanThreshold" });
    expect(alarms.get("Errors")?.dimensions.FunctionName).toMatch(/^\$\{aws_lambda_function\..+\.function_name\}$/);
  });

  test("alarms on the first drain that missed its deadline, on the metric the handler publishes for its cluster", () => {
    // GIVEN / WHEN
    const json = synthDrainer({ alarmActions: ["arn:aws:sns:eu-west-1:123456789012:alerts"] });

    // THEN
    const [alarm, ...others] = resourcesOfType(json, "aws_cloudwatch_metric_alarm").filter((candidate) => candidate.namespace === DRAINER_METRICS.namespace);
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      alarm_name: "acme-api-spot-drainer-staging-missed-deadline",
      metric_name: DRAINER_METRICS.names.drainsMissedDeadline,
      dimensions: { [DRAINER_METRICS.dimension]: "acme-api-staging" },
      statistic: "Sum",
      period: 60,
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: ["arn:aws:sns:eu-west-1:123456789012:alerts"],
    });
  });

  describe("IAM", () => {
    test("lists container instances only in the cluster", () => {
      const json = synthDrainer();
      expect(statementFor(json, "ecs:ListContainerInstances")).toMatchObject({ actions: ["ecs:ListContainerInstances"], resources: [CLUSTER_ARN] });
      expect(statementFor(json, "ecs:ListContainerInstances").condition).toBeUndefined();
    });

    test.each(["ecs:DescribeContainerInstances", "ecs:UpdateContainerInstancesState", "ecs:ListTasks", "ecs:DescribeTasks", "ecs:StopTask"])(
      "%s acts only on this cluster (condition ecs:cluster)",
      (action) => {
        const statement = statementFor(synthDrainer(), action);
        expect(statement.resources).toEqual(["*"]);
        expect(statement.condition).toEqual([{ test: "ArnEquals", variable: "ecs:cluster", values: [CLUSTER_ARN] }]);
      },
    );

    test("describes only the cluster's services", () => {
      const statement = statementFor(synthDrainer(), "ecs:DescribeServices");
      expect(statement.actions).toEqual(["ecs:DescribeServices"]);
      expect(statement.resources).toEqual([`\${replace("${CLUSTER_ARN}", ":cluster/", ":service/")}/*`]);
    });

    test("deregisters targets only from this environment's target groups", () => {
      const statement = statementFor(synthDrainer(), "elasticloadbalancing:DeregisterTargets");
      expect(statement.actions).toEqual(["elasticloadbalancing:DeregisterTargets"]);
      expect(statement.resources).toEqual(TARGET_GROUPS);
    });

    test("without target groups it may deregister nothing", () => {
      const json = synthDrainer({ targetGroupArns: [] });
      expect(statements(json).flatMap((statement) => statement.actions)).not.toContain("elasticloadbalancing:DeregisterTargets");
    });

    test("reads target health everywhere (no resource-level permissions) and nothing else there", () => {
      const json = synthDrainer();
      expect(statementFor(json, "elasticloadbalancing:DescribeTargetHealth")).toMatchObject({
        actions: ["elasticloadbalancing:DescribeTargetHealth"],
        resources: ["*"],
      });
      const unconditionedWildcards = statements(json).filter((statement) => statement.resources?.includes("*") && !statement.condition);
      expect(unconditionedWildcards.flatMap((statement) => statement.actions)).toEqual(["elasticloadbalancing:DescribeTargetHealth"]);
    });
  });

  describe("rebalance recommendations", () => {
    test.each([
      { drainOnRebalance: true, rules: [SPOT, REBALANCE], flag: "true" },
      { drainOnRebalance: false, rules: [SPOT], flag: "false" },
      { drainOnRebalance: undefined, rules: [SPOT], flag: "false" },
    ])("drainOnRebalance=$drainOnRebalance subscribes to $rules", ({ drainOnRebalance, rules, flag }) => {
      // GIVEN / WHEN
      const json = synthDrainer({ drainOnRebalance });

      // THEN
      const byType = rulesByDetailType(json);
      expect([...byType.keys()].sort()).toEqual([...rules].sort());
      expect(resourcesOfType(json, "aws_cloudwatch_event_target")).toHaveLength(rules.length);
      expect(resourcesOfType(json, "aws_lambda_permission")).toHaveLength(rules.length);
      expect(soleResource(json, "aws_lambda_function").environment.variables.DRAIN_ON_REBALANCE).toBe(flag);
    });

    test("each rule has its own invoke permission", () => {
      const json = synthDrainer({ drainOnRebalance: true });
      const permissions = resourcesOfType(json, "aws_lambda_permission");
      expect(new Set(permissions.map((permission) => permission.statement_id)).size).toBe(2);
      expect(new Set(permissions.map((permission) => permission.source_arn)).size).toBe(2);
      expect(rulesByDetailType(json).get(REBALANCE)?.name).toBe("acme-api-spot-rebalance-staging");
    });

    test("needs a rule name to drain on rebalance", () => {
      expect(() => synthDrainer({ drainOnRebalance: true, rebalanceRuleName: undefined })).toThrow(/rebalanceRuleName is required/);
    });
  });

  test("the code hash is the bundle's and stays the same across synths", () => {
    // GIVEN / WHEN two independent synths
    const first = soleResource(synthDrainer(), "aws_lambda_function");
    const second = soleResource(synthDrainer(), "aws_lambda_function");

    // THEN
    const entry = path.resolve(__dirname, "../../../lambdas/spot-drainer/handler.ts");
    expect(first.source_code_hash).toBe(second.source_code_hash);
    expect(first.source_code_hash).toBe(bundleLambda(entry, path.resolve(__dirname, "../../../.build/lambdas")).codeHash);
    expect(first.filename).toBe(second.filename);
  });
});

describe("SpotInterruptionDrainer with ASG termination hooks", () => {
  const GROUP_ARN = "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:6d3ad8a6-5e27-4a8e-9d4c-0b8f0e6e0c11:autoScalingGroupName/acme-api-on-demand-staging";
  const hook = {
    hookName: "acme-api-drain-staging",
    autoScalingGroupName: "acme-api-on-demand-staging",
    autoScalingGroupArn: GROUP_ARN,
    heartbeatTimeoutSeconds: 600,
  };
  const withHooks = (overrides: Partial<SpotInterruptionDrainerProps> = {}) =>
    synthDrainer({ lifecycleHooks: [hook], lifecycleRuleName: "acme-api-asg-terminate-staging", ...overrides });

  test("GIVEN a hook WHEN synthesized THEN a rule on that group's and hook's terminate lifecycle actions invokes the function", () => {
    // GIVEN / WHEN
    const json = withHooks();

    // THEN
    const rule = rulesByDetailType(json).get("EC2 Instance-terminate Lifecycle Action");
    expect(rule?.name).toBe("acme-api-asg-terminate-staging");
    expect(JSON.parse(rule?.event_pattern as string)).toEqual({
      source: ["aws.autoscaling"],
      "detail-type": ["EC2 Instance-terminate Lifecycle Action"],
      detail: { AutoScalingGroupName: ["acme-api-on-demand-staging"], LifecycleHookName: ["acme-api-drain-staging"] },
    });
    // AND it has its own target and invoke permission, scoped to that rule
    expect(resourcesOfType(json, "aws_cloudwatch_event_target")).toHaveLength(2);
    const permissions = resourcesOfType(json, "aws_lambda_permission");
    expect(permissions).toHaveLength(2);
    expect(permissions.find((p) => p.statement_id === "AllowEventBridge-lifecycle")?.source_arn).toMatch(/^\$\{aws_cloudwatch_event_rule\.drainer_lifecycle-rule_[\w-]+\.arn\}$/);
  });

  test("GIVEN a hook WHEN synthesized THEN the function may complete lifecycle actions on that group only", () => {
    const json = withHooks();
    expect(statementFor(json, "autoscaling:CompleteLifecycleAction")).toMatchObject({
      actions: ["autoscaling:CompleteLifecycleAction"],
      resources: [GROUP_ARN],
    });
    expect(statementFor(json, "autoscaling:CompleteLifecycleAction").condition).toBeUndefined();
  });

  test("GIVEN a hook WHEN synthesized THEN the handler gets the hook names and heartbeat, and the timeout covers the heartbeat", () => {
    const json = withHooks();
    const fn = soleResource(json, "aws_lambda_function");
    expect(fn.environment.variables).toMatchObject({ LIFECYCLE_HOOK_NAMES: '${join(",", ["acme-api-drain-staging"])}', LIFECYCLE_HEARTBEAT_SECONDS: "600" });
    expect(fn.timeout).toBe(660);
    // A lifecycle action throttled in a Spot storm is still drained until its heartbeat runs out (the
    // handler itself skips Spot events past their 2 minutes); EventBridge keeps each rule's own horizon.
    expect(soleResource(json, "aws_lambda_function_event_invoke_config")).toMatchObject({ maximum_retry_attempts: 0, maximum_event_age_in_seconds: 600 });
    const targets = resourcesOfType(json, "aws_cloudwatch_event_target");
    const ageOf = (rule: string) => targets.find((target) => String(target.rule).includes(`${rule}-rule`))?.retry_policy.maximum_event_age_in_seconds;
    expect({ interruption: ageOf("interruption"), lifecycle: ageOf("lifecycle") }).toEqual({ interruption: 120, lifecycle: 600 });
  });

  test.each([
    [30, 120],
    [600, 660],
    [7200, 900],
  ])("GIVEN a heartbeat of %i s WHEN synthesized THEN the timeout is %i s (never under the Spot path's 120 s nor over Lambda's 900 s)", (heartbeat, timeout) => {
    const json = withHooks({ lifecycleHooks: [{ ...hook, heartbeatTimeoutSeconds: heartbeat }] });
    expect(soleResource(json, "aws_lambda_function").timeout).toBe(timeout);
  });

  test("GIVEN no hooks WHEN synthesized THEN no lifecycle rule, variables or permission", () => {
    const json = synthDrainer();
    expect(rulesByDetailType(json).has("EC2 Instance-terminate Lifecycle Action")).toBe(false);
    expect(Object.keys(soleResource(json, "aws_lambda_function").environment.variables)).not.toContain("LIFECYCLE_HOOK_NAMES");
    expect(statements(json).flatMap((statement) => statement.actions)).not.toContain("autoscaling:CompleteLifecycleAction");
  });

  test("GIVEN hooks without a rule name WHEN built THEN it fails naming the prop", () => {
    expect(() => synthDrainer({ lifecycleHooks: [hook] })).toThrow("lifecycleRuleName is required");
  });
});

