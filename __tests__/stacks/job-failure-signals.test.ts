import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { matchesPattern } from "../support/event-pattern";
import { resourcesOfType, synthEnvironment, type Synthesized } from "../support/synth";
import { EXAMPLES } from "../support/examples";
import { synthExample } from "../support/synth";

type Resource = Record<string, any>;

/** An `ECS Task State Change` event for a STOPPED task, shaped like the ones ECS sends. */
function stoppedTask(clusterArn: string, group: string, detail: Record<string, unknown>): Record<string, unknown> {
  const taskArn = "arn:aws:ecs:eu-west-1:123456789012:task/acme-api/0123456789abcdef0123456789abcdef";
  return {
    version: "0",
    id: "3317b2af-7005-947d-b652-f55e762e571a",
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: "123456789012",
    time: "2026-11-29T10:15:00Z",
    region: "eu-west-1",
    resources: [taskArn],
    detail: {
      clusterArn,
      group,
      taskArn,
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-api-api-production:7",
      launchType: "EC2",
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stoppedReason: "Essential container in task exited",
      stopCode: "EssentialContainerExited",
      version: 4,
      ...detail,
    },
  };
}
const container = (exitCode?: number) => ({ containers: [{ name: "job", lastStatus: "STOPPED", ...(exitCode === undefined ? {} : { exitCode }) }] });

/** `${type.id.attribute}` */
const refTo = (type: string, id: string, attribute: string) => `\${${type}.${id}.${attribute}}`;
const entries = (json: Synthesized, type: string) => Object.entries(json.resource?.[type] ?? {}) as Array<[string, Resource]>;

/**
 * What is missing for each scheduled job to raise an alarm on the alert topic when a run fails.
 * Jobs that start their task directly need a rule that catches their failed runs (non-zero exit,
 * a Spot kill, a task that never started) and nothing else (a successful run, the service's own
 * tasks, another cluster or job), with a target, and an alarm on that rule's invocations. Jobs
 * on Step Functions need the alarm on executions that failed every attempt.
 */
export function missingFailureSignals(json: Synthesized, alarmActions: readonly string[]): string[] {
  const problems: string[] = [];
  const alarms = resourcesOfType(json, "aws_cloudwatch_metric_alarm");
  const targets = resourcesOfType(json, "aws_cloudwatch_event_target");
  const wired = (alarm: Resource) => JSON.stringify(alarm.alarm_actions ?? []) === JSON.stringify(alarmActions);
  for (const [ruleId, rule] of entries(json, "aws_cloudwatch_event_rule").filter(([, candidate]) => candidate.schedule_expression !== undefined)) {
    const job = String(rule.name);
    const target = targets.find((candidate) => candidate.rule === refTo("aws_cloudwatch_event_rule", ruleId, "name"));
    // Scheduled rules that start no ECS task (e.g. the AMI watch's Lambda) are not jobs.
    if (!target || (target.ecs_target === undefined && !String(target.arn).startsWith("${aws_sfn_state_machine."))) continue;
    if (target.ecs_target === undefined) {
      const alarm = alarms.find((candidate) => candidate.namespace === "AWS/States" && candidate.metric_name === "ExecutionsFailed" && candidate.dimensions?.StateMachineArn === target.arn);
      if (!alarm) problems.push(`${job}: no alarm on failed executions of ${String(target.arn)}`);
      else if (!wired(alarm)) problems.push(`${job}: the failed-executions alarm does not notify the alert topic`);
      continue;
    }
    const group = target.ecs_target.group as string | undefined;
    if (group === undefined) {
      problems.push(`${job}: runs without a task group, so its stop events cannot be told from its service's`);
      continue;
    }
    const cluster = String(target.arn);
    const failures = [
      stoppedTask(cluster, group, container(1)),
      stoppedTask(cluster, group, { ...container(137), stoppedReason: "Host EC2 (instance i-0abc) terminated." }),
      stoppedTask(cluster, group, { ...container(), stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: pull access denied" }),
    ];
    const others = [
      stoppedTask(cluster, group, container(0)),
      stoppedTask(cluster, "service:api", container(137)),
      stoppedTask("arn:aws:ecs:eu-west-1:123456789012:cluster/another", group, container(1)),
      stoppedTask(cluster, `${group}-other`, container(1)),
      { ...stoppedTask(cluster, group, container(1)), "detail-type": "ECS Container Instance State Change" },
    ];
    const catching = entries(json, "aws_cloudwatch_event_rule").filter(([, candidate]) => {
      if (candidate.event_pattern === undefined) return false;
      const pattern = JSON.parse(String(candidate.event_pattern)) as Record<string, unknown>;
      return failures.every((event) => matchesPattern(pattern, event)) && !others.some((event) => matchesPattern(pattern, event));
    });
    if (catching.length === 0) {
      problems.push(`${job}: no rule catches exactly its failed runs`);
      continue;
    }
    const signalled = catching.some(([id]) => {
      const ruleName = refTo("aws_cloudwatch_event_rule", id, "name");
      const hasTarget = targets.some((candidate) => candidate.rule === ruleName);
      const alarm = alarms.find(
        (candidate) =>
          candidate.namespace === "AWS/Events" &&
          candidate.metric_name === "Invocations" &&
          candidate.dimensions?.RuleName === ruleName &&
          candidate.comparison_operator === "GreaterThanThreshold" &&
          candidate.threshold === 0,
      );
      return hasTarget && alarm !== undefined && wired(alarm);
    });
    if (!signalled) problems.push(`${job}: its failed-run rule has no target, or no alarm on its invocations that notifies the alert topic`);
  }
  return problems;
}

const alertTopic = (json: Synthesized): string[] => entries(json, "aws_sns_topic").filter(([, topic]) => /alerts/.test(String(topic.name))).map(([id]) => refTo("aws_sns_topic", id, "arn"));

/** Each shipped environment synthesized once; failing examples break a deep copy. */
const SHIPPED = Object.fromEntries(Object.keys(ENVIRONMENTS).map((name) => [name, synthEnvironment(name)]));

describe("every scheduled job has a failure alarm on the alert topic", () => {
  test.each(Object.keys(ENVIRONMENTS))("GIVEN the shipped %s environment WHEN synthesized THEN each job's failed run raises an alarm", (name) => {
    const { json, config } = SHIPPED[name];
    expect(config.scheduledTasks.length).toBeGreaterThan(0);
    expect(alertTopic(json)).toHaveLength(1);
    expect(missingFailureSignals(json, alertTopic(json))).toEqual([]);
  });

  test("GIVEN every kind of job (service, own image, paused, pinned, several tasks, retried) WHEN synthesized THEN each is covered", () => {
    const input: EnvironmentInput = {
      ...EXAMPLES.production,
      scheduledTasks: [
        { name: "report", schedule: "rate(1 hour)", service: "api", command: ["node", "report.js"] },
        { name: "cleanup", schedule: "rate(1 day)", image: "busybox:1.36", command: ["true"], enabled: false },
        { name: "pinned", schedule: "rate(1 day)", service: "admin", capacityPool: "on-demand", taskCount: 3 },
        { name: "retried", schedule: "rate(1 day)", service: "api", retries: 3 },
      ],
    };
    const { json } = synthEnvironment(input);
    expect(missingFailureSignals(json, alertTopic(json))).toEqual([]);
    // one failed-run rule per job that runs its task directly, none for the retried job
    const taskRules = resourcesOfType(json, "aws_cloudwatch_event_rule").filter((rule) => String(rule.event_pattern ?? "").includes("ECS Task State Change"));
    expect(taskRules.map((rule) => rule.name).sort()).toEqual(["acme-api-cleanup-job-failed-production", "acme-api-pinned-job-failed-production", "acme-api-report-job-failed-production"]);
  });

  describe("failing examples: the check sees what would leave a failed run silent", () => {
    const fresh = () => {
      const json = structuredClone(synthExample("production").json);
      return { json, actions: alertTopic(json), rules: entries(json, "aws_cloudwatch_event_rule") };
    };
    const failedRunRule = (rules: Array<[string, Resource]>) => rules.find(([, rule]) => String(rule.event_pattern ?? "").includes("ECS Task State Change")) as [string, Resource];

    test("GIVEN the failed-run alarm removed THEN the job is reported", () => {
      const { json, actions, rules } = fresh();
      const [id] = failedRunRule(rules);
      for (const [alarmId, alarm] of entries(json, "aws_cloudwatch_metric_alarm")) {
        if (alarm.dimensions?.RuleName === refTo("aws_cloudwatch_event_rule", id, "name")) delete json.resource!.aws_cloudwatch_metric_alarm[alarmId];
      }
      expect(missingFailureSignals(json, actions)).toEqual([expect.stringMatching(/^acme-api-nightly-report-job-production: its failed-run rule has no target, or no alarm/)]);
    });

    test.each<[string, (pattern: any) => void]>([
      ["without the task group (the service's own crashes would page as job failures)", (pattern) => delete pattern.detail.group],
      ["without the failed-to-start branch (a run that never starts stays silent)", (pattern) => (pattern.detail.$or = [pattern.detail.$or[0]])],
      ["on any stopped task (successful runs would page)", (pattern) => delete pattern.detail.$or],
    ])("GIVEN the pattern %s THEN the job is reported", (_case, mutate) => {
      const { actions, rules, json } = fresh();
      const [, rule] = failedRunRule(rules);
      const pattern = JSON.parse(rule.event_pattern);
      mutate(pattern);
      rule.event_pattern = JSON.stringify(pattern);
      expect(missingFailureSignals(json, actions)).toEqual(["acme-api-nightly-report-job-production: no rule catches exactly its failed runs"]);
    });

    test("GIVEN alarms that notify no one THEN every job is reported", () => {
      const { json, actions } = fresh();
      for (const alarm of resourcesOfType(json, "aws_cloudwatch_metric_alarm")) alarm.alarm_actions = [];
      expect(missingFailureSignals(json, actions)).toHaveLength(2);
    });

    test("GIVEN a run without its task group THEN the job is reported", () => {
      const { json, actions } = fresh();
      for (const target of resourcesOfType(json, "aws_cloudwatch_event_target")) if (target.ecs_target) delete target.ecs_target.group;
      expect(missingFailureSignals(json, actions)).toEqual([expect.stringContaining("runs without a task group")]);
    });
  });
});
