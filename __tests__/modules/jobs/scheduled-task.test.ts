import { TerraformOutput } from "cdktf";
import { describe, expect, test } from "vitest";
import { failedRunPattern } from "../../../modules/jobs/job-failure-alarm";
import { ScheduledTask, type ScheduledTaskProps } from "../../../modules/jobs/scheduled-task";
import { resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

const CLUSTER_ARN = "arn:aws:ecs:eu-west-1:123456789012:cluster/acme-api-production";
const TASK_ROLE = "arn:aws:iam::123456789012:role/acme-api-api-task-production";
const EXECUTION_ROLE = "arn:aws:iam::123456789012:role/acme-api-api-execution-production";
const FAMILY_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-api-api-production";

const BASE: ScheduledTaskProps = {
  jobName: "feed-refresh",
  ruleName: "acme-api-feed-refresh-production",
  scheduleExpression: "cron(0/15 * * * ? *)",
  eventsRoleName: "acme-api-feed-refresh-events-production",
  deadLetterQueueName: "acme-api-feed-refresh-dlq-production",
  deadLetterAlarmName: "acme-api-feed-refresh-dlq-production",
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
  clusterArn: CLUSTER_ARN,
  clusterName: "acme-api-production",
  taskDefinitionFamily: "acme-api-api-production",
  containerName: "api",
  taskRoleArn: TASK_ROLE,
  executionRoleArn: EXECUTION_ROLE,
  command: ["node", "jobs/refresh-feeds.js"],
  environment: { FEED_BATCH_SIZE: "100" },
  failureSignal: {
    ruleName: "acme-api-feed-refresh-failed-production",
    queueName: "acme-api-feed-refresh-failures-production",
    alarmName: "acme-api-feed-refresh-failed-production",
  },
};

const RETRY = {
  retries: 3,
  stateMachineName: "acme-api-feed-refresh-production",
  roleName: "acme-api-feed-refresh-sfn-production",
  logGroupName: "/aws/vendedlogs/states/acme-api-feed-refresh-production",
  logRetentionDays: 90,
  alarmName: "acme-api-feed-refresh-failed-production",
};

/** The job's schedule, launch and dead letters; its failure signal (`failed-runs`) is tested on its own below. */
function synthJob(overrides: Partial<ScheduledTaskProps> = {}): Synthesized {
  const json = synthJobWithFailureSignal(overrides);
  const resource = Object.fromEntries(
    Object.entries(json.resource ?? {}).map(([type, byId]) => [type, Object.fromEntries(Object.entries(byId).filter(([id]) => !id.includes("failed-runs")))]),
  );
  return { ...json, resource };
}

function synthJobWithFailureSignal(overrides: Partial<ScheduledTaskProps> = {}): Synthesized {
  return synthConstructs((scope) => new ScheduledTask(scope, "job", { ...BASE, ...overrides }));
}

/** `${type.logicalId.attribute}` of the only resource of a type (or the only one `where` picks). */
function ref(json: Synthesized, type: string, attribute: string, where: (resource: Record<string, unknown>) => boolean = () => true): string {
  const ids = Object.entries(json.resource?.[type] ?? {})
    .filter(([, resource]) => where(resource))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  return `\${${type}.${ids[0]}.${attribute}}`;
}

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> };

function policyOf(json: Synthesized, name: string): Statement[] {
  const policy = resourcesOfType(json, "aws_iam_role_policy").find((candidate) => candidate.name === name);
  if (!policy) throw new Error(`no role policy named ${name}`);
  return (JSON.parse(policy.policy) as { Statement: Statement[] }).Statement;
}

describe("ScheduledTask rule", () => {
  test.each([
    { enabled: undefined, state: "ENABLED" },
    { enabled: true, state: "ENABLED" },
    { enabled: false, state: "DISABLED" },
  ])("GIVEN enabled=$enabled WHEN synthesized THEN the rule is $state with the schedule", ({ enabled, state }) => {
    // GIVEN / WHEN
    const json = synthJob({ enabled });
    // THEN
    const rule = soleResource(json, "aws_cloudwatch_event_rule");
    expect(rule).toMatchObject({ name: BASE.ruleName, schedule_expression: "cron(0/15 * * * ? *)", state });
  });

  test.each(["cron(0/15 * * * *)", "rate(0 minutes)", "every 15 minutes"])(
    "GIVEN the schedule %s WHEN constructing THEN it throws naming the job",
    (scheduleExpression) => {
      // GIVEN / WHEN / THEN
      expect(() => synthJob({ scheduleExpression })).toThrow(/scheduled job "feed-refresh": scheduleExpression/);
    },
  );
});

describe("ScheduledTask with an ECS target", () => {
  test("GIVEN a capacity provider strategy WHEN synthesized THEN the target runs the family on the cluster with it and the placement", () => {
    // GIVEN
    const strategy = [
      { capacityProvider: "acme-api-on-demand-production", weight: 1, base: 1 },
      { capacityProvider: "acme-api-spot-production", weight: 4 },
    ];
    // WHEN
    const json = synthJob({ capacityProviderStrategy: strategy, taskCount: 2 });
    // THEN
    const target = soleResource(json, "aws_cloudwatch_event_target");
    expect(target.arn).toBe(CLUSTER_ARN);
    expect(target.rule).toBe(ref(json, "aws_cloudwatch_event_rule", "name"));
    expect(target.role_arn).toBe(ref(json, "aws_iam_role", "arn"));
    expect(target.ecs_target.task_definition_arn).toBe(FAMILY_ARN);
    expect(target.ecs_target).toMatchObject({
      task_count: 2,
      capacity_provider_strategy: [
        { capacity_provider: "acme-api-on-demand-production", weight: 1, base: 1 },
        { capacity_provider: "acme-api-spot-production", weight: 4, base: 0 },
      ],
      ordered_placement_strategy: [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "binpack", field: "memory" },
      ],
      propagate_tags: "TASK_DEFINITION",
      enable_ecs_managed_tags: true,
    });
    expect(target.ecs_target.launch_type).toBeUndefined();
  });

  test("GIVEN no capacity provider strategy (Spot Fleet) WHEN synthesized THEN the target uses the EC2 launch type", () => {
    // GIVEN / WHEN
    const json = synthJob();
    // THEN
    const ecsTarget = soleResource(json, "aws_cloudwatch_event_target").ecs_target;
    expect(ecsTarget.launch_type).toBe("EC2");
    expect(ecsTarget.capacity_provider_strategy).toBeUndefined();
    expect(ecsTarget.task_count).toBe(1);
  });

  test.each([
    {
      given: "a command and environment",
      props: {},
      expected: { name: "api", command: ["node", "jobs/refresh-feeds.js"], environment: [{ name: "FEED_BATCH_SIZE", value: "100" }] },
    },
    { given: "no command and no environment", props: { command: [], environment: {} }, expected: { name: "api" } },
  ])("GIVEN $given WHEN synthesized THEN the input overrides exactly that", ({ props, expected }) => {
    // GIVEN / WHEN
    const json = synthJob(props);
    // THEN
    const input = JSON.parse(soleResource(json, "aws_cloudwatch_event_target").input as string);
    expect(input).toEqual({ containerOverrides: [expected] });
  });

  test("GIVEN a job WHEN synthesized THEN EventBridge may run only this family on this cluster and pass only its roles", () => {
    // GIVEN / WHEN
    const json = synthJob();
    // THEN
    const statements = policyOf(json, "run-task");
    expect(statements.flatMap((statement) => statement.Action)).toEqual(["ecs:RunTask", "ecs:TagResource", "iam:PassRole"]);
    const [runTask, tag, passRole] = statements;
    expect(runTask.Resource).toHaveLength(2);
    expect((runTask.Resource as string[])[0]).toBe(FAMILY_ARN);
    expect((runTask.Resource as string[])[1]).toBe(`${(runTask.Resource as string[])[0]}:*`);
    expect(runTask.Condition).toEqual({ ArnEquals: { "ecs:cluster": CLUSTER_ARN } });
    expect(tag.Resource).toBe("arn:aws:ecs:eu-west-1:123456789012:task/acme-api-production/*");
    expect(tag.Condition).toEqual({ StringEquals: { "ecs:CreateAction": "RunTask" } });
    expect(passRole.Resource).toEqual([TASK_ROLE, EXECUTION_ROLE]);
    expect(passRole.Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    const trust = JSON.parse(soleResource(json, "aws_iam_role").assume_role_policy as string);
    expect(trust.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }]);
  });
});

describe("ScheduledTask reliability", () => {
  test("GIVEN a job WHEN synthesized THEN failed launches are retried, then dead-lettered to an encrypted queue only this rule may write", () => {
    // GIVEN / WHEN
    const json = synthJob({ maximumEventAgeSeconds: 900, maximumRetryAttempts: 5 });
    // THEN
    const target = soleResource(json, "aws_cloudwatch_event_target");
    expect(target.retry_policy).toEqual({ maximum_event_age_in_seconds: 900, maximum_retry_attempts: 5 });
    expect(target.dead_letter_config).toEqual({ arn: ref(json, "aws_sqs_queue", "arn") });
    expect(soleResource(json, "aws_sqs_queue")).toMatchObject({
      name: BASE.deadLetterQueueName,
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
    const queuePolicy = soleResource(json, "aws_sqs_queue_policy");
    expect(queuePolicy.queue_url).toBe(ref(json, "aws_sqs_queue", "url"));
    expect(JSON.parse(queuePolicy.policy as string).Statement).toEqual([
      {
        Sid: "EventBridgeRuleTargets",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: ref(json, "aws_sqs_queue", "arn"),
        Condition: { ArnEquals: { "aws:SourceArn": [ref(json, "aws_cloudwatch_event_rule", "arn")] } },
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:*",
        Resource: ref(json, "aws_sqs_queue", "arn"),
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("GIVEN alarm actions WHEN synthesized THEN an alarm fires on any message in the dead-letter queue", () => {
    // GIVEN
    const topic = "arn:aws:sns:eu-west-1:123456789012:acme-api-alerts-production";
    // WHEN
    const json = synthJob({ alarmActions: [topic] });
    // THEN
    expect(soleResource(json, "aws_cloudwatch_metric_alarm")).toMatchObject({
      alarm_name: BASE.deadLetterAlarmName,
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: ref(json, "aws_sqs_queue", "name") },
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
      alarm_actions: [topic],
    });
  });

  test.each([
    { given: "taskCount 11", props: { taskCount: 11 }, message: /taskCount must be an integer between 1 and 10/ },
    { given: "an empty strategy", props: { capacityProviderStrategy: [] }, message: /capacityProviderStrategy must not be empty/ },
    { given: "a 30 s event age", props: { maximumEventAgeSeconds: 30 }, message: /maximumEventAgeSeconds must be between 60 and 86400/ },
    { given: "retry with taskCount 2", props: { taskCount: 2, retry: RETRY }, message: /taskCount must be 1 when retry is set/ },
    { given: "retry with 0 retries", props: { retry: { ...RETRY, retries: 0 } }, message: /retries must be an integer between 1 and 10, got 0/ },
  ])("GIVEN $given WHEN constructing THEN it throws", ({ props, message }) => {
    // GIVEN / WHEN / THEN
    expect(() => synthJob(props)).toThrow(message);
  });
});

describe("ScheduledTask with retries", () => {
  test("GIVEN retry WHEN synthesized THEN the rule starts the state machine and EventBridge may start only it", () => {
    // GIVEN / WHEN
    const json = synthJob({ retry: RETRY });
    // THEN
    const target = soleResource(json, "aws_cloudwatch_event_target");
    const machineArn = ref(json, "aws_sfn_state_machine", "arn");
    expect(target.arn).toBe(machineArn);
    expect(target.ecs_target).toBeUndefined();
    expect(target.dead_letter_config).toEqual({ arn: ref(json, "aws_sqs_queue", "arn") });
    expect(policyOf(json, "start-execution")).toEqual([
      { Sid: "StartJob", Effect: "Allow", Action: "states:StartExecution", Resource: machineArn },
    ]);
  });

  test("GIVEN retry WHEN synthesized THEN the definition runs the task synchronously and retries failures with backoff", () => {
    // GIVEN / WHEN
    const json = synthJob({ retry: RETRY, capacityProviderStrategy: [{ capacityProvider: "acme-api-spot-production", weight: 1 }] });
    // THEN
    const machine = soleResource(json, "aws_sfn_state_machine");
    expect(machine).toMatchObject({
      name: RETRY.stateMachineName,
      type: "STANDARD",
      role_arn: ref(json, "aws_iam_role", "arn", (role) => role.name === RETRY.roleName),
      logging_configuration: { level: "ERROR", include_execution_data: false, log_destination: `${ref(json, "aws_cloudwatch_log_group", "arn")}:*` },
    });
    const definition = JSON.parse(machine.definition as string);
    expect(definition.StartAt).toBe("RunTask");
    const state = definition.States[definition.StartAt];
    expect(state.Type).toBe("Task");
    expect(state.End).toBe(true);
    expect(state.Resource).toBe("arn:aws:states:::ecs:runTask.sync");
    expect(state.Parameters.TaskDefinition).toBe(FAMILY_ARN);
    expect(state.Parameters).toMatchObject({
      Cluster: CLUSTER_ARN,
      CapacityProviderStrategy: [{ CapacityProvider: "acme-api-spot-production", Weight: 1, Base: 0 }],
      PlacementStrategy: [
        { Type: "spread", Field: "attribute:ecs.availability-zone" },
        { Type: "binpack", Field: "memory" },
      ],
      PropagateTags: "TASK_DEFINITION",
      Overrides: {
        ContainerOverrides: [{ Name: "api", Command: ["node", "jobs/refresh-feeds.js"], Environment: [{ Name: "FEED_BATCH_SIZE", Value: "100" }] }],
      },
    });
    expect(state.Parameters.LaunchType).toBeUndefined();
    expect(state.Retry).toEqual([{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 60, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: "FULL" }]);
  });

  test("GIVEN retry without a strategy WHEN synthesized THEN the state machine uses the EC2 launch type", () => {
    // GIVEN / WHEN
    const json = synthJob({ retry: RETRY });
    // THEN
    const parameters = JSON.parse(soleResource(json, "aws_sfn_state_machine").definition as string).States.RunTask.Parameters;
    expect(parameters.LaunchType).toBe("EC2");
    expect(parameters.CapacityProviderStrategy).toBeUndefined();
  });

  test("GIVEN retry WHEN synthesized THEN the state machine role may run, watch and stop only this job's tasks", () => {
    // GIVEN / WHEN
    const json = synthJob({ retry: RETRY });
    // THEN
    const statements = policyOf(json, "run-task");
    const bySid = Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
    expect(Object.keys(bySid)).toEqual(["RunTaskOnCluster", "TagStartedTasks", "PassTaskRoles", "WatchAndStopTasks", "SyncTaskEvents", "DeliverLogs"]);
    expect(bySid.RunTaskOnCluster.Condition).toEqual({ ArnEquals: { "ecs:cluster": CLUSTER_ARN } });
    expect(bySid.PassTaskRoles.Resource).toEqual([TASK_ROLE, EXECUTION_ROLE]);
    expect(bySid.WatchAndStopTasks).toMatchObject({ Action: ["ecs:DescribeTasks", "ecs:StopTask"], Condition: { ArnEquals: { "ecs:cluster": CLUSTER_ARN } } });
    expect(bySid.WatchAndStopTasks.Resource).toBe("arn:aws:ecs:eu-west-1:123456789012:task/acme-api-production/*");
    expect(bySid.SyncTaskEvents.Resource).toBe("arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForECSTaskRule");
    // Only log delivery, which has no resource-level permissions, is on "*".
    expect(statements.filter((statement) => statement.Resource === "*").map((statement) => statement.Sid)).toEqual(["DeliverLogs"]);
    const machineRole = resourcesOfType(json, "aws_iam_role").find((role) => role.name === RETRY.roleName);
    const trust = JSON.parse(machineRole?.assume_role_policy as string).Statement[0];
    expect(trust.Principal).toEqual({ Service: "states.amazonaws.com" });
    expect(trust.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: { "aws:SourceArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:acme-api-feed-refresh-production" },
    });
  });

  test("GIVEN retry WHEN synthesized THEN executions log to an expiring group and a failed-for-good run raises an alarm", () => {
    // GIVEN / WHEN
    const json = synthJob({ retry: RETRY });
    // THEN
    expect(soleResource(json, "aws_cloudwatch_log_group")).toEqual({ name: RETRY.logGroupName, retention_in_days: 90 });
    const alarm = resourcesOfType(json, "aws_cloudwatch_metric_alarm").find((candidate) => candidate.alarm_name === RETRY.alarmName);
    expect(alarm).toMatchObject({
      namespace: "AWS/States",
      metric_name: "ExecutionsFailed",
      dimensions: { StateMachineArn: ref(json, "aws_sfn_state_machine", "arn") },
      threshold: 0,
    });
  });
});

describe("ScheduledTask failure signal", () => {
  const topic = "arn:aws:sns:eu-west-1:123456789012:alerts";
  const failedRunsRule = (json: Synthesized) => resourcesOfType(json, "aws_cloudwatch_event_rule").find((rule) => rule.event_pattern !== undefined);

  test("GIVEN a job run directly WHEN synthesized THEN its runs carry the job's task group and a rule on their failures feeds an alarm", () => {
    // GIVEN / WHEN
    const json = synthJobWithFailureSignal({ alarmActions: [topic] });
    // THEN the runs are told apart from the service's tasks by their group
    const runTarget = resourcesOfType(json, "aws_cloudwatch_event_target").find((target) => target.ecs_target !== undefined);
    expect(runTarget?.ecs_target.group).toBe("job:feed-refresh");
    // AND a rule catches exactly this job's failed runs in this cluster
    const rule = failedRunsRule(json);
    expect(rule?.name).toBe(BASE.failureSignal?.ruleName);
    expect(JSON.parse(rule?.event_pattern as string)).toEqual(failedRunPattern(CLUSTER_ARN, "job:feed-refresh"));
    // AND delivers them to an encrypted queue only that rule may write to, kept 14 days
    const ruleRef = ref(json, "aws_cloudwatch_event_rule", "name", (candidate) => candidate.event_pattern !== undefined);
    const queueArn = ref(json, "aws_sqs_queue", "arn", (queue) => queue.name === BASE.failureSignal?.queueName);
    expect(resourcesOfType(json, "aws_cloudwatch_event_target").find((target) => target.rule === ruleRef)).toMatchObject({ arn: queueArn });
    expect(resourcesOfType(json, "aws_sqs_queue").find((queue) => queue.name === BASE.failureSignal?.queueName)).toMatchObject({
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
    const policies = resourcesOfType(json, "aws_sqs_queue_policy").map((policy) => JSON.parse(policy.policy as string).Statement[0]);
    expect(policies).toContainEqual(expect.objectContaining({ Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": ref(json, "aws_cloudwatch_event_rule", "arn", (candidate) => candidate.event_pattern !== undefined) } } }));
    // AND every invocation of the rule is an alarm on the topic
    expect(resourcesOfType(json, "aws_cloudwatch_metric_alarm").find((alarm) => alarm.alarm_name === BASE.failureSignal?.alarmName)).toMatchObject({
      namespace: "AWS/Events",
      metric_name: "Invocations",
      dimensions: { RuleName: ruleRef },
      statistic: "Sum",
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
      alarm_actions: [topic],
    });
  });

  test("GIVEN a job run directly without a failure signal WHEN constructed THEN it is refused", () => {
    expect(() => synthJob({ failureSignal: undefined })).toThrow('scheduled job "feed-refresh": a job without retry needs failureSignal');
  });

  test("GIVEN a retried job WHEN synthesized THEN the state machine's alarm is its failure signal and no task rule is added", () => {
    let job: ScheduledTask | undefined;
    const json = synthConstructs((scope) => {
      job = new ScheduledTask(scope, "job", { ...BASE, failureSignal: undefined, retry: RETRY });
      new TerraformOutput(scope, "failure-alarm", { value: job.failureAlarmArn });
    });
    expect(failedRunsRule(json)).toBeUndefined();
    expect(json.output?.["failure-alarm"].value).toBe(ref(json, "aws_cloudwatch_metric_alarm", "arn", (alarm) => alarm.alarm_name === RETRY.alarmName));
    expect(job?.failureQueueUrl).toBeUndefined();
  });
});
