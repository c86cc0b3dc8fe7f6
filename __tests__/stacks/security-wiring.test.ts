import { Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { SHIPPED_ENVIRONMENTS, shippedStack } from "../support/shipped-stacks";
import { parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { PlatformStack } from "../../stacks/platform-stack";
import { referencedResourceAddress, statementsOf } from "../support/references";
import { resourcesOfType, soleResource, synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

let stagingJson: Synthesized | undefined;
let productionJson: Synthesized | undefined;
/** The shipped stacks, synthesized once for the whole file (read-only use). */
const shipped = { staging: () => (stagingJson ??= synthExample("staging").json), production: () => (productionJson ??= synthExample("production").json) };

const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function containers(json: Synthesized): Array<Record<string, any>> {
  return resourcesOfType(json, "aws_ecs_task_definition").flatMap((task) => JSON.parse(task.container_definitions as string) as Array<Record<string, any>>);
}

/** Log group ARNs as the key policy spells them (partition and account are the stack's lookups). */
function logGroupArn(name: string): string {
  return `arn:\${data.aws_partition.partition.partition}:logs:eu-west-1:\${data.aws_caller_identity.account.account_id}:log-group:${name}`;
}

describe("logs KMS key", () => {
  test.each(["production", { ...EXAMPLES.staging, logs: { retentionDays: 14, kmsKey: "create" } } as EnvironmentInput])(
    "GIVEN logs.kmsKey create (%#) WHEN synthesized THEN every log group of the stack uses the one rotating key, and its policy names exactly those groups",
    (input) => {
      // GIVEN / WHEN
      const json = input === "production" ? shipped.production() : synthEnvironment(input).json;
      // THEN
      const logGroups = resourcesOfType(json, "aws_cloudwatch_log_group");
      expect(logGroups.length).toBeGreaterThanOrEqual(4);
      const keyAddresses = new Set(logGroups.map((group) => referencedResourceAddress(group.kms_key_id)));
      expect([...keyAddresses]).toHaveLength(1);
      const [keyAddress] = [...keyAddresses];
      expect(keyAddress).toMatch(/^aws_kms_key\.logs-key/);
      const key = json.resource?.aws_kms_key?.[keyAddress.split(".")[1]] as Record<string, any>;
      expect(key.enable_key_rotation).toBe(true);

      const statements = statementsOf(json, key.policy);
      const logs = statements.CloudWatchLogsUseForTheseLogGroups;
      expect(logs.principals).toEqual([{ type: "Service", identifiers: ["logs.eu-west-1.amazonaws.com"] }]);
      expect(logs.condition).toEqual([
        {
          test: "ArnLike",
          variable: "kms:EncryptionContext:aws:logs:arn",
          values: logGroups.map((group) => logGroupArn(group.name as string)).sort(),
        },
      ]);
      expect(Object.keys(statements).sort()).toEqual(["AccountAdministers", "CloudWatchLogsUseForTheseLogGroups"]);
    },
  );

  test("GIVEN a created VPC and the key WHEN synthesized THEN the flow-log group is covered too", () => {
    const { json } = synthEnvironment({ ...EXAMPLES.staging, logs: { retentionDays: 14, kmsKey: "create" } });
    const flowLogGroup = resourcesOfType(json, "aws_cloudwatch_log_group").find((group) => group.name === "/aws/vpc-flow-logs/acme-api-staging");
    expect(flowLogGroup?.kms_key_id).toMatch(/^\$\{aws_kms_key\.logs-key/);
  });

  test("GIVEN an existing key ARN WHEN synthesized THEN every log group uses it and no key is created", () => {
    const { json, stack } = synthEnvironment({ ...EXAMPLES.production, logs: { retentionDays: 90, kmsKey: KEY_ARN } });
    expect(resourcesOfType(json, "aws_kms_key").map((key) => key.description)).not.toContain("Encrypts the CloudWatch log groups of acme-api-logs-production");
    for (const group of resourcesOfType(json, "aws_cloudwatch_log_group")) expect(group.kms_key_id).toBe(KEY_ARN);
    expect(stack.logsKeyArn).toBe(KEY_ARN);
    expect(json.output?.logs_kms_key_arn.value).toBe(KEY_ARN);
  });

  test("GIVEN no logs.kmsKey WHEN synthesized THEN log groups keep CloudWatch Logs' own encryption", () => {
    const json = shipped.staging();
    for (const group of resourcesOfType(json, "aws_cloudwatch_log_group")) expect(group.kms_key_id).toBeUndefined();
  });

  test("GIVEN the key WHEN an escape hatch takes a log group off it THEN synthesis fails naming the group", () => {
    // GIVEN
    const config = parseEnvironmentConfig(EXAMPLES.production);
    const app = Testing.app();
    const stack = new PlatformStack(app, "production", config);
    // WHEN
    const drainerLogs = stack.node.findAll().find((node) => node.node.path === "production/spot-drainer/function/logs");
    if (!drainerLogs) throw new Error("no drainer log group");
    (drainerLogs as unknown as { addOverride(path: string, value: unknown): void }).addOverride("kms_key_id", "alias/other");
    // THEN
    expect(() => app.synth()).toThrow(/\[production\/spot-drainer\/function\/logs\] log groups must be encrypted with the environment's logs key: kms_key_id is alias\/other/);
  });
});

describe("VPC flow logs", () => {
  test("GIVEN staging's created VPC WHEN synthesized THEN all its traffic is logged to an expiring group through a role only this account's flow logs may assume", () => {
    // GIVEN / WHEN
    const json = shipped.staging();
    // THEN
    const flowLog = soleResource(json, "aws_flow_log");
    expect(referencedResourceAddress(flowLog.vpc_id)).toMatch(/^aws_vpc\./);
    expect(flowLog).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs", max_aggregation_interval: 600 });
    const group = resourcesOfType(json, "aws_cloudwatch_log_group").find((candidate) => candidate.name === "/aws/vpc-flow-logs/acme-api-staging");
    expect(group?.retention_in_days).toBe(14);
    expect(referencedResourceAddress(flowLog.log_destination)).toMatch(/^aws_cloudwatch_log_group\.network_flow-logs_/);

    const role = resourcesOfType(json, "aws_iam_role").find((candidate) => candidate.name === "acme-api-staging-flow-logs");
    if (!role) throw new Error("no flow-log role");
    const [trust] = Object.values(statementsOf(json, role.assume_role_policy));
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }]);
    expect(trust.condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: ["${data.aws_caller_identity.account.account_id}"] },
      {
        test: "ArnLike",
        variable: "aws:SourceArn",
        values: ["arn:${data.aws_partition.partition.partition}:ec2:eu-west-1:${data.aws_caller_identity.account.account_id}:vpc-flow-log/*"],
      },
    ]);
    const policy = resourcesOfType(json, "aws_iam_role_policy").find((candidate) => candidate.name === "deliver-flow-logs");
    const permissions = statementsOf(json, policy?.policy);
    expect(permissions.WriteOwnLogGroup.resources).toHaveLength(2);
    for (const resource of permissions.WriteOwnLogGroup.resources as string[]) expect(resource).toMatch(/^\$\{aws_cloudwatch_log_group\.network_flow-logs_[A-Z0-9]+\.arn\}(:\*)?$/);
  });

  test("GIVEN an S3 destination WHEN synthesized THEN the flow log writes to the bucket with no role or log group", () => {
    const input = { ...EXAMPLES.staging, network: { ...(EXAMPLES.staging.network as object), flowLogs: { destination: "s3", bucketArn: "arn:aws:s3:::acme-flow-logs/staging" } } };
    const { json } = synthEnvironment(input as EnvironmentInput);
    expect(soleResource(json, "aws_flow_log")).toMatchObject({ log_destination_type: "s3", log_destination: "arn:aws:s3:::acme-flow-logs/staging" });
    expect(soleResource(json, "aws_flow_log").iam_role_arn).toBeUndefined();
    expect(resourcesOfType(json, "aws_iam_role").map((role) => role.name)).not.toContain("acme-api-staging-flow-logs");
  });

  test("GIVEN production's existing VPC WHEN synthesized THEN no flow log is made (the VPC's owner runs them)", () => {
    expect(resourcesOfType(shipped.production(), "aws_flow_log")).toEqual([]);
  });
});

describe("WAF", () => {
  test("GIVEN production WHEN synthesized THEN a regional web ACL with the rate limit and the three managed groups guards the load balancer, every rule with metrics", () => {
    // GIVEN / WHEN
    const json = shipped.production();
    // THEN
    const acl = soleResource(json, "aws_wafv2_web_acl");
    expect(acl).toMatchObject({ scope: "REGIONAL", default_action: { allow: {} } });
    const rules = acl.rule as Array<Record<string, any>>;
    expect(rules.map((rule) => [rule.priority, rule.name])).toEqual([
      [0, "rate-limit-per-ip"],
      [10, "AWSManagedRulesAmazonIpReputationList"],
      [20, "AWSManagedRulesCommonRuleSet"],
      [30, "AWSManagedRulesKnownBadInputsRuleSet"],
    ]);
    expect(rules[0]).toMatchObject({ action: { block: {} }, statement: { rate_based_statement: { limit: 2000, aggregate_key_type: "IP" } } });
    for (const rule of rules.slice(1)) {
      expect(rule.override_action).toEqual({ none: {} });
      expect(rule.statement).toMatchObject({ managed_rule_group_statement: { name: rule.name, vendor_name: "AWS" } });
    }
    for (const visibility of [acl.visibility_config, ...rules.map((rule) => rule.visibility_config)]) {
      expect(visibility).toMatchObject({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true });
    }
    const association = soleResource(json, "aws_wafv2_web_acl_association");
    expect(referencedResourceAddress(association.resource_arn)).toMatch(/^aws_lb\.load-balancer/);
    expect(referencedResourceAddress(association.web_acl_arn)).toMatch(/^aws_wafv2_web_acl\./);
  });

  test("GIVEN managedRulesAction count WHEN synthesized THEN the managed groups only count and the rate limit still blocks", () => {
    const { json } = synthEnvironment({ ...EXAMPLES.production, loadBalancer: { ...EXAMPLES.production.loadBalancer, waf: { mode: "create", managedRulesAction: "count" } } });
    const rules = soleResource(json, "aws_wafv2_web_acl").rule as Array<Record<string, any>>;
    expect(rules.slice(1).map((rule) => rule.override_action)).toEqual([{ count: {} }, { count: {} }, { count: {} }]);
    expect(rules[0].action).toEqual({ block: {} });
  });

  test("GIVEN an existing web ACL WHEN synthesized THEN it is associated and none is created", () => {
    const webAclArn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acme/a1b2c3d4-5678-90ab-cdef-0123456789ab";
    const { json } = synthEnvironment({ ...EXAMPLES.production, loadBalancer: { ...EXAMPLES.production.loadBalancer, waf: { mode: "existing", webAclArn } } });
    expect(resourcesOfType(json, "aws_wafv2_web_acl")).toEqual([]);
    expect(soleResource(json, "aws_wafv2_web_acl_association").web_acl_arn).toBe(webAclArn);
  });

  test("GIVEN staging (no waf) WHEN synthesized THEN there is no web ACL, and the ALB still mitigates desync", () => {
    const json = shipped.staging();
    expect(resourcesOfType(json, "aws_wafv2_web_acl_association")).toEqual([]);
    expect(soleResource(json, "aws_lb").desync_mitigation_mode).toBe("defensive");
  });
});

describe("Step Functions and Lambdas", () => {
  test("GIVEN a retried job WHEN synthesized THEN its state machine logs errors without execution data to an expiring, encrypted group, untraced by default", () => {
    const json = shipped.production();
    const machine = soleResource(json, "aws_sfn_state_machine");
    expect(machine.logging_configuration).toMatchObject({ level: "ERROR", include_execution_data: false });
    expect(machine.tracing_configuration).toEqual({ enabled: false });
    const groupAddress = /^\$\{(aws_cloudwatch_log_group\.[^.]+)\.arn\}:\*$/.exec(String(machine.logging_configuration.log_destination))?.[1];
    const group = json.resource?.aws_cloudwatch_log_group?.[String(groupAddress).split(".")[1]];
    expect(group).toMatchObject({ retention_in_days: 90, kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\./) });
  });

  test("GIVEN stepFunctions tracing and ALL WHEN synthesized THEN executions are traced and the role may write traces and deliver logs", () => {
    const { json } = synthEnvironment({ ...EXAMPLES.production, stepFunctions: { tracing: true, logLevel: "ALL", includeExecutionData: true } });
    const machine = soleResource(json, "aws_sfn_state_machine");
    expect(machine.tracing_configuration).toEqual({ enabled: true });
    expect(machine.logging_configuration).toMatchObject({ level: "ALL", include_execution_data: true });
    const role = referencedResourceAddress(machine.role_arn).split(".")[1];
    const policy = resourcesOfType(json, "aws_iam_role_policy").find((candidate) => candidate.role === `\${aws_iam_role.${role}.name}`);
    const statements = JSON.parse(String(policy?.policy)).Statement as Array<{ Sid: string; Action: string[]; Resource: string }>;
    expect(statements.find((statement) => statement.Sid === "WriteTraces")).toEqual({
      Sid: "WriteTraces",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      Resource: "*",
    });
    expect(statements.find((statement) => statement.Sid === "DeliverLogs")?.Action).toContain("logs:CreateLogDelivery");
  });

  test.each(SHIPPED_ENVIRONMENTS)("GIVEN %s WHEN synthesized THEN every function reserves concurrency, traces PassThrough and sends failed async events to an encrypted queue", (name) => {
    const { json } = shippedStack(name);
    const functions = resourcesOfType(json, "aws_lambda_function");
    const invokeConfigs = resourcesOfType(json, "aws_lambda_function_event_invoke_config");
    for (const fn of functions) {
      expect(fn.reserved_concurrent_executions).toBeGreaterThanOrEqual(1);
      expect(fn.tracing_config).toEqual({ mode: "PassThrough" });
    }
    expect(invokeConfigs.map((config) => referencedResourceAddress(config.function_name)).sort()).toHaveLength(new Set(invokeConfigs.map((config) => config.function_name)).size);
    const destinations = invokeConfigs.map((config) => referencedResourceAddress(config.destination_config.on_failure.destination));
    expect(destinations).toHaveLength(functions.length);
    for (const address of destinations) {
      const queue = json.resource?.aws_sqs_queue?.[address.split(".")[1]];
      expect(queue?.sqs_managed_sse_enabled).toBe(true);
    }
  });

  test("GIVEN lambdas.tracingMode Active WHEN synthesized THEN every function traces actively and may write traces", () => {
    const { json } = synthEnvironment({ ...EXAMPLES.staging, lambdas: { tracingMode: "Active" } });
    for (const fn of resourcesOfType(json, "aws_lambda_function")) expect(fn.tracing_config).toEqual({ mode: "Active" });
    const tracePermissions = resourcesOfType(json, "aws_iam_role_policy").filter(
      (policy) => String(policy.policy).startsWith("${data.") && statementsOf(json, policy.policy).WriteTraces !== undefined,
    );
    expect(tracePermissions).toHaveLength(3);
  });

  test("GIVEN the AMI watch WHEN synthesized THEN it reserves one execution and its failures alarm the alert topic", () => {
    const json = shipped.production();
    const watch = resourcesOfType(json, "aws_lambda_function").find((fn) => fn.function_name === "acme-api-ami-watch-production");
    expect(watch?.reserved_concurrent_executions).toBe(1);
    const alarm = resourcesOfType(json, "aws_cloudwatch_metric_alarm").find((candidate) => candidate.alarm_name === "acme-api-ami-watch-failures-production-not-empty");
    expect(alarm?.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic/)]);
    const queue = resourcesOfType(json, "aws_sqs_queue").find((candidate) => candidate.name === "acme-api-ami-watch-failures-production");
    expect(queue?.sqs_managed_sse_enabled).toBe(true);
    const queuePolicy = resourcesOfType(json, "aws_sqs_queue_policy").find((policy) => String(policy.policy).startsWith("${data.aws_iam_policy_document.ami-watch"));
    expect(statementsOf(json, queuePolicy?.policy).DenyInsecureTransport).toMatchObject({ effect: "Deny", actions: ["sqs:*"] });
  });
});

describe("containers", () => {
  test("GIVEN the shipped examples WHEN synthesized THEN every container runs with an init process and without NET_RAW, and no container is privileged", () => {
    for (const name of SHIPPED_ENVIRONMENTS) {
      for (const container of containers(shippedStack(name).json)) {
        expect(container.linuxParameters).toEqual({ initProcessEnabled: true, capabilities: { drop: ["NET_RAW"] } });
        expect(container.privileged).toBeUndefined();
      }
    }
  });

  test("GIVEN staging's nginx WHEN synthesized THEN its root is read-only with scratch volumes for cache, run and tmp", () => {
    const json = shipped.staging();
    const task = resourcesOfType(json, "aws_ecs_task_definition").find((candidate) => candidate.family === "acme-api-api-staging");
    const [nginx] = JSON.parse(String(task?.container_definitions)) as Array<Record<string, any>>;
    expect(nginx.readonlyRootFilesystem).toBe(true);
    expect(nginx.mountPoints).toEqual([
      { sourceVolume: "scratch-0", containerPath: "/var/cache/nginx", readOnly: false },
      { sourceVolume: "scratch-1", containerPath: "/var/run", readOnly: false },
      { sourceVolume: "scratch-2", containerPath: "/tmp", readOnly: false },
    ]);
    expect(task?.volume).toEqual([{ name: "scratch-0" }, { name: "scratch-1" }, { name: "scratch-2" }]);
    const job = resourcesOfType(json, "aws_ecs_task_definition").find((candidate) => candidate.family === "acme-api-smoke-check-job-staging");
    expect(JSON.parse(String(job?.container_definitions))[0]).toMatchObject({ readonlyRootFilesystem: true });
  });

  test("GIVEN production WHEN synthesized THEN every container is read-only: the web services with /tmp, the CloudWatch agent with its config and pid directories", () => {
    const all = containers(shipped.production());
    const byName = Object.fromEntries(all.map((container) => [container.name, container]));
    expect(byName.api).toMatchObject({ readonlyRootFilesystem: true, mountPoints: [{ sourceVolume: "scratch-0", containerPath: "/tmp", readOnly: false }] });
    expect(byName.admin).toMatchObject({ readonlyRootFilesystem: true });
    expect(byName["metrics-agent"]).toMatchObject({
      readonlyRootFilesystem: true,
      mountPoints: [
        { sourceVolume: "scratch-0", containerPath: "/opt/aws/amazon-cloudwatch-agent/etc", readOnly: false },
        { sourceVolume: "scratch-1", containerPath: "/opt/aws/amazon-cloudwatch-agent/var", readOnly: false },
      ],
    });
    expect(all.filter((container) => container.readonlyRootFilesystem !== true)).toEqual([]);
  });
});
