import type { TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { LambdaFunction, type LambdaFunctionConfig } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Network } from "../../../modules/network/network";
import { synthWithGuardrails } from "../../support/guardrails";

const FAILURE_QUEUE = "arn:aws:sqs:eu-west-1:123456789012:failures";

/** A function that passes every per-resource rule; `overrides` break one. */
function lambda(stack: TerraformStack, overrides: Partial<LambdaFunctionConfig> = {}): LambdaFunction {
  return new LambdaFunction(stack, "fn", {
    functionName: "fn",
    role: "arn:aws:iam::123456789012:role/fn",
    runtime: "nodejs22.x",
    handler: "index.handler",
    filename: "fn.zip",
    reservedConcurrentExecutions: 1,
    tracingConfig: { mode: "PassThrough" },
    deadLetterConfig: { targetArn: FAILURE_QUEUE },
    ...overrides,
  });
}

function onFailure(stack: TerraformStack, fn: LambdaFunction, destination: string | undefined): void {
  new LambdaFunctionEventInvokeConfig(stack, "invoke-config", {
    functionName: fn.functionName,
    destinationConfig: destination === undefined ? undefined : { onFailure: { destination } },
  });
}

const visibility = (enabled: boolean) => ({ cloudwatchMetricsEnabled: enabled, metricName: "m", sampledRequestsEnabled: true });
function webAcl(stack: TerraformStack, aclMetrics: boolean, ruleMetrics: boolean): void {
  new Wafv2WebAcl(stack, "acl", {
    name: "acl",
    scope: "REGIONAL",
    defaultAction: { allow: {} },
    visibilityConfig: visibility(aclMetrics),
    rule: [
      {
        name: "rate",
        priority: 0,
        action: { block: {} },
        statement: { rate_based_statement: { limit: 100, aggregate_key_type: "IP" } },
        visibilityConfig: visibility(ruleMetrics),
      },
    ],
  });
}

function stateMachine(stack: TerraformStack, level: string | undefined, destination: string | undefined): void {
  new SfnStateMachine(stack, "machine", {
    name: "machine",
    roleArn: "arn:aws:iam::123456789012:role/machine",
    definition: "{}",
    loggingConfiguration: { level, logDestination: destination },
  });
}

describe("Security guardrails", () => {
  test.each<[string, (stack: TerraformStack) => void, string]>([
    ["a function with reserved concurrency, a tracing mode and a dead-letter queue", (stack) => lambda(stack), "ok"],
    [
      "a function with an on-failure destination instead of a dead-letter queue",
      (stack) => onFailure(stack, lambda(stack, { deadLetterConfig: undefined }), FAILURE_QUEUE),
      "ok",
    ],
    [
      "a function without reserved concurrency",
      (stack) => lambda(stack, { reservedConcurrentExecutions: undefined }),
      "[guarded/fn] Lambda functions must reserve concurrency: reserved_concurrent_executions is not set, expected >= 1",
    ],
    [
      "a function whose reservation is -1 (unreserved)",
      (stack) => lambda(stack, { reservedConcurrentExecutions: -1 }),
      "[guarded/fn] Lambda functions must reserve concurrency: reserved_concurrent_executions is -1, expected >= 1",
    ],
    ["a function without a tracing mode", (stack) => lambda(stack, { tracingConfig: undefined }), "[guarded/fn] Lambda functions must set a tracing mode: tracing_config.mode is not set"],
    [
      "a function whose failed async events go nowhere",
      (stack) => lambda(stack, { deadLetterConfig: undefined }),
      "[guarded/fn] Lambda functions must keep failed asynchronous invocations: neither dead_letter_config.target_arn nor an aws_lambda_function_event_invoke_config",
    ],
    [
      "a function whose invoke config has no on-failure destination",
      (stack) => onFailure(stack, lambda(stack, { deadLetterConfig: undefined }), undefined),
      "[guarded/fn] Lambda functions must keep failed asynchronous invocations",
    ],
    [
      "a function whose failure destination belongs to another function",
      (stack) => {
        lambda(stack, { deadLetterConfig: undefined });
        const other = new LambdaFunction(stack, "other", {
          functionName: "other",
          role: "arn:aws:iam::123456789012:role/other",
          runtime: "nodejs22.x",
          handler: "index.handler",
          filename: "other.zip",
          reservedConcurrentExecutions: 1,
          tracingConfig: { mode: "Active" },
        });
        onFailure(stack, other, FAILURE_QUEUE);
      },
      "[guarded/fn] Lambda functions must keep failed asynchronous invocations",
    ],
    ["a created VPC with flow logs", (stack) => new FlowLog(stack, "flow-log", { vpcId: new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }).id, trafficType: "ALL", logDestinationType: "s3", logDestination: "arn:aws:s3:::logs" }), "ok"],
    ["a Network construct's created VPC (flow logs by default)", (stack) => new Network(stack, "network", { mode: "create", cidr: "10.0.0.0/16", natGateways: "none", namePrefix: "acme-test" }), "ok"],
    ["a created VPC without flow logs", (stack) => new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }), "[guarded/vpc] created VPCs must have flow logs: no aws_flow_log has this VPC's vpc_id"],
    [
      "a created VPC whose flow log watches another VPC",
      (stack) => {
        new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
        new FlowLog(stack, "flow-log", { vpcId: "vpc-0123456789abcdef0", trafficType: "ALL", logDestinationType: "s3", logDestination: "arn:aws:s3:::logs" });
      },
      "[guarded/vpc] created VPCs must have flow logs",
    ],
    ["an ALB with defensive desync mitigation", (stack) => new Lb(stack, "alb", { name: "web", dropInvalidHeaderFields: true, desyncMitigationMode: "defensive" }), "ok"],
    [
      "an ALB in desync monitor mode",
      (stack) => new Lb(stack, "alb", { name: "web", dropInvalidHeaderFields: true, desyncMitigationMode: "monitor" }),
      '[guarded/alb] load balancers must mitigate HTTP desync: desync_mitigation_mode is monitor, expected "defensive" or "strictest"',
    ],
    [
      "an ALB that fails open when WAF cannot answer",
      (stack) => new Lb(stack, "alb", { name: "web", dropInvalidHeaderFields: true, desyncMitigationMode: "strictest", enableWafFailOpen: true }),
      "[guarded/alb] load balancers must not bypass their web ACL: enable_waf_fail_open is true",
    ],
    [
      "a task definition in the host's PID namespace",
      (stack) => new EcsTaskDefinition(stack, "task", { family: "f", containerDefinitions: "[]", networkMode: "bridge", pidMode: "host" }),
      "[guarded/task] task definitions must not share the host's process or IPC namespace: pid_mode is host",
    ],
    [
      "a task definition in the host's IPC namespace",
      (stack) => new EcsTaskDefinition(stack, "task", { family: "f", containerDefinitions: "[]", networkMode: "bridge", ipcMode: "host" }),
      "[guarded/task] task definitions must not share the host's process or IPC namespace: ipc_mode is host",
    ],
    ["a task definition with a private PID namespace", (stack) => new EcsTaskDefinition(stack, "task", { family: "f", containerDefinitions: "[]", networkMode: "bridge", pidMode: "task" }), "ok"],
    ["a state machine logging errors", (stack) => stateMachine(stack, "ERROR", "arn:aws:logs:eu-west-1:123456789012:log-group:x:*"), "ok"],
    [
      "a state machine with logging OFF",
      (stack) => stateMachine(stack, "OFF", "arn:aws:logs:eu-west-1:123456789012:log-group:x:*"),
      "[guarded/machine] state machines must log their executions: logging_configuration.level is OFF",
    ],
    ["a state machine without a log destination", (stack) => stateMachine(stack, "ERROR", undefined), "[guarded/machine] state machines must log their executions: logging_configuration.log_destination is not set"],
    ["a web ACL with metrics on every rule", (stack) => webAcl(stack, true, true), "ok"],
    [
      "a web ACL with a rule that publishes no metrics",
      (stack) => webAcl(stack, true, false),
      "[guarded/acl] web ACLs must publish metrics for every rule: visibility_config.cloudwatch_metrics_enabled is not true for rule rate",
    ],
    [
      "a web ACL that publishes no metrics of its own",
      (stack) => webAcl(stack, false, true),
      "[guarded/acl] web ACLs must publish metrics for every rule: visibility_config.cloudwatch_metrics_enabled is not true for the web ACL",
    ],
  ])("%s", (_case, build, expected) => {
    // GIVEN / WHEN / THEN
    const result = synthWithGuardrails(build);
    if (expected === "ok") expect(result).toBe("ok");
    else expect(result).toContain(expected);
  });
});
