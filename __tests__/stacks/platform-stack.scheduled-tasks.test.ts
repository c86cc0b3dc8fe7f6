import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { resourcesOfType, synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

type Resource = Record<string, any>;

/** `${type.logicalId.attribute}` of the resource of `type` whose `key` is `value` (names are deterministic, logical ids are not). */
function ref(json: Synthesized, type: string, value: string, attribute: string, key = "name"): string {
  const matches = Object.entries(json.resource?.[type] ?? {}).filter(([, resource]) => (resource as Resource)[key] === value);
  if (matches.length !== 1) throw new Error(`expected one ${type} with ${key} ${value}, found ${matches.length}`);
  return `\${${type}.${matches[0][0]}.${attribute}}`;
}

function named(json: Synthesized, type: string, name: string, key = "name"): Resource {
  const matches = resourcesOfType(json, type).filter((resource) => resource[key] === name);
  if (matches.length !== 1) throw new Error(`expected one ${type} with ${key} ${name}, found ${matches.length}`);
  return matches[0];
}

/** A job's pieces, found through the deterministic names the stack gives them. */
function jobOf(json: Synthesized, environment: string, job: string) {
  const base = `acme-api-${job}-job`;
  const ruleName = `${base}-${environment}`;
  return {
    rule: named(json, "aws_cloudwatch_event_rule", ruleName),
    target: named(json, "aws_cloudwatch_event_target", ref(json, "aws_cloudwatch_event_rule", ruleName, "name"), "rule"),
    eventsPolicy: named(json, "aws_iam_role_policy", ref(json, "aws_iam_role", `${base}-events-${environment}`, "name"), "role"),
    queueArn: ref(json, "aws_sqs_queue", `${base}-dlq-${environment}`, "arn"),
    queueUrl: ref(json, "aws_sqs_queue", `${base}-dlq-${environment}`, "url"),
    stateMachines: resourcesOfType(json, "aws_sfn_state_machine").filter((machine) => machine.name === ruleName),
  };
}

/** Both shipped environments are in eu-west-1; the account and partition come from the stack's data sources. */
const TASK_DEFINITIONS = /^arn:\$\{data\.aws_partition\.partition\.partition\}:ecs:eu-west-1:\$\{data\.aws_caller_identity\.account\.account_id\}:task-definition\//;

describe("PlatformStack scheduled tasks", () => {
  test.each(Object.keys(ENVIRONMENTS))("GIVEN the %s environment WHEN synthesized THEN every configured job has its rule and a dead-letter queue", (name) => {
    // GIVEN / WHEN
    const { json, config } = synthEnvironment(name);
    // THEN
    expect(config.scheduledTasks.length).toBeGreaterThan(0);
    for (const job of config.scheduledTasks) {
      const { rule, target, queueArn } = jobOf(json, name, job.name);
      expect(rule).toMatchObject({ schedule_expression: job.schedule, state: "ENABLED" });
      expect(target.dead_letter_config.arn).toBe(queueArn);
    }
  });

  test("GIVEN production WHEN synthesized THEN the retried feed refresh runs the api family through Step Functions on the default capacity mix", () => {
    // GIVEN / WHEN
    const { json } = synthExample("production");
    // THEN
    const { target, stateMachines } = jobOf(json, "production", "feed-refresh");
    expect(stateMachines).toHaveLength(1);
    expect(target.arn).toBe(ref(json, "aws_sfn_state_machine", "acme-api-feed-refresh-job-production", "arn"));
    const state = JSON.parse(stateMachines[0].definition).States.RunTask;
    expect(state.Parameters.Cluster).toBe(ref(json, "aws_ecs_cluster", "acme-api-production", "arn"));
    expect(state.Parameters.TaskDefinition).toMatch(TASK_DEFINITIONS);
    expect(state.Parameters.TaskDefinition).toMatch(/:task-definition\/acme-api-api-production$/);
    expect(state.Parameters.CapacityProviderStrategy).toEqual([
      { CapacityProvider: ref(json, "aws_ecs_capacity_provider", "acme-api-on-demand-production", "name"), Weight: 1, Base: 2 },
      { CapacityProvider: ref(json, "aws_ecs_capacity_provider", "acme-api-spot-production", "name"), Weight: 4, Base: 0 },
    ]);
    expect(state.Parameters.Overrides.ContainerOverrides).toEqual([
      { Name: "api", Command: ["node", "jobs/refresh-feeds.js"], Environment: [{ Name: "ALB_DNS_NAME", Value: ref(json, "aws_lb", "acme-api-web-production", "dns_name") }] },
    ]);
    expect(state.Retry[0]).toMatchObject({ ErrorEquals: ["States.TaskFailed"], MaxAttempts: 2 });
    expect(named(json, "aws_cloudwatch_log_group", "/aws/vendedlogs/states/acme-api-feed-refresh-job-production").retention_in_days).toBe(90);
  });

  test("GIVEN production WHEN synthesized THEN the nightly report runs directly, pinned to on-demand, passing only the api roles", () => {
    // GIVEN / WHEN
    const { json } = synthExample("production");
    // THEN
    const { target, eventsPolicy, stateMachines } = jobOf(json, "production", "nightly-report");
    expect(stateMachines).toEqual([]);
    expect(target.arn).toBe(ref(json, "aws_ecs_cluster", "acme-api-production", "arn"));
    expect(target.ecs_target.capacity_provider_strategy).toEqual([
      { capacity_provider: ref(json, "aws_ecs_capacity_provider", "acme-api-on-demand-production", "name"), weight: 1, base: 0 },
    ]);
    expect(target.ecs_target.launch_type).toBeUndefined();
    expect(target.ecs_target.task_definition_arn).toMatch(TASK_DEFINITIONS);
    const statements = JSON.parse(eventsPolicy.policy).Statement;
    const passRole = statements.find((statement: { Action: string }) => statement.Action === "iam:PassRole");
    expect(passRole.Resource).toEqual([
      ref(json, "aws_iam_role", "acme-api-api-task-production", "arn"),
      ref(json, "aws_iam_role", "acme-api-api-execution-production", "arn"),
    ]);
  });

  test("GIVEN staging (Spot Fleet) WHEN synthesized THEN the job uses the EC2 launch type", () => {
    // GIVEN / WHEN
    const { json } = synthExample("staging");
    // THEN
    const ecsTarget = jobOf(json, "staging", "smoke-check").target.ecs_target;
    expect(ecsTarget.launch_type).toBe("EC2");
    expect(ecsTarget.capacity_provider_strategy).toBeUndefined();
    // staging's job brings its own image, so it runs its own family (the latest revision of it)
    expect(ecsTarget.task_definition_arn).toMatch(/:task-definition\/\$\{aws_ecs_task_definition\.job-smoke-check-task[\w-]*\.family\}$/);
    expect(resourcesOfType(json, "aws_ecs_task_definition").map((definition) => definition.family)).toContain("acme-api-smoke-check-job-staging");
  });

  test("GIVEN a paused job with its own image WHEN synthesized THEN it gets a disabled rule and its own task definition, log group and roles", () => {
    // GIVEN
    const input: EnvironmentInput = {
      ...EXAMPLES.staging,
      scheduledTasks: [
        { name: "cleanup", schedule: "rate(1 day)", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/cleanup:1.2", memory: 256, enabled: false },
      ],
    };
    // WHEN
    const { json } = synthEnvironment(input);
    // THEN
    const { rule, target, eventsPolicy } = jobOf(json, "staging", "cleanup");
    expect(rule.state).toBe("DISABLED");
    const taskDefinition = named(json, "aws_ecs_task_definition", "acme-api-cleanup-job-staging", "family");
    expect(taskDefinition).toMatchObject({ family: "acme-api-cleanup-job-staging", network_mode: "bridge", requires_compatibilities: ["EC2"] });
    expect(JSON.parse(taskDefinition.container_definitions)[0]).toMatchObject({ name: "cleanup", memory: 256, cpu: 256 });
    expect(named(json, "aws_cloudwatch_log_group", "/ecs/acme-api-cleanup-job-staging").retention_in_days).toBe(14);
    // The family comes from the task definition resource, so the target is created after it.
    const family = ref(json, "aws_ecs_task_definition", "acme-api-cleanup-job-staging", "family", "family");
    expect(target.ecs_target.task_definition_arn).toMatch(TASK_DEFINITIONS);
    expect(target.ecs_target.task_definition_arn.endsWith(`:task-definition/${family}`)).toBe(true);
    // Every job learns the load balancer's DNS name, the one address that reaches the services without a domain.
    expect(JSON.parse(target.input)).toEqual({
      containerOverrides: [{ name: "cleanup", environment: [{ name: "ALB_DNS_NAME", value: ref(json, "aws_lb", "acme-api-web-staging", "dns_name") }] }],
    });
    const passRole = JSON.parse(eventsPolicy.policy).Statement.find(
      (statement: { Action: string }) => statement.Action === "iam:PassRole",
    );
    expect(passRole.Resource).toEqual([
      ref(json, "aws_iam_role", "acme-api-cleanup-job-task-staging", "arn"),
      ref(json, "aws_iam_role", "acme-api-cleanup-job-execution-staging", "arn"),
    ]);
  });

  test("GIVEN production WHEN synthesized THEN each job has an output naming its rule, task definition and dead-letter queue", () => {
    // GIVEN / WHEN
    const { json } = synthExample("production");
    // THEN
    expect(json.output?.scheduled_task_feed_refresh?.value).toMatchObject({
      rule: ref(json, "aws_cloudwatch_event_rule", "acme-api-feed-refresh-job-production", "name"),
      dead_letter_queue_url: jobOf(json, "production", "feed-refresh").queueUrl,
      state_machine_arn: ref(json, "aws_sfn_state_machine", "acme-api-feed-refresh-job-production", "arn"),
    });
    expect(json.output?.scheduled_task_nightly_report?.value).not.toHaveProperty("state_machine_arn");
  });
});
