/**
 * Guardrails of the security hardening (issue 13): per-resource rules that `GUARDRAIL_RULES`
 * spreads into its list, and stack rules that relate resources to each other (a VPC and its flow
 * log, a function and its failure destination), which `Guardrails` runs once per stack.
 */
import type { TerraformResource } from "cdktf";
import type { GuardrailRule, ResourceArguments } from "./guardrails";

const asObject = (value: unknown): ResourceArguments =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as ResourceArguments) : {};
const asList = (value: unknown): ResourceArguments[] =>
  Array.isArray(value) ? value.map(asObject) : value === undefined ? [] : [asObject(value)];
const isTrue = (value: unknown): boolean => value === true || value === "true";
const nonEmptyString = (value: unknown): boolean => typeof value === "string" && value.length > 0;

export const SECURITY_GUARDRAIL_RULES: readonly GuardrailRule[] = [
  {
    resourceType: "aws_lambda_function",
    description: "Lambda functions must reserve concurrency",
    // A runaway caller must not take the account's whole concurrency, nor this function be starved by others.
    check: (args) =>
      typeof args.reserved_concurrent_executions === "number" && args.reserved_concurrent_executions >= 1
        ? undefined
        : `reserved_concurrent_executions is ${String(args.reserved_concurrent_executions ?? "not set")}, expected >= 1`,
  },
  {
    resourceType: "aws_lambda_function",
    description: "Lambda functions must set a tracing mode",
    check: (args) => {
      const mode = asObject(asList(args.tracing_config)[0]).mode;
      return mode === "PassThrough" || mode === "Active" ? undefined : "tracing_config.mode is not set";
    },
  },
  {
    resourceType: "aws_lb",
    description: "load balancers must mitigate HTTP desync",
    // `monitor` forwards ambiguous requests that can smuggle a second request past the listener rules.
    check: (args) =>
      args.load_balancer_type === "network" || args.desync_mitigation_mode === "defensive" || args.desync_mitigation_mode === "strictest"
        ? undefined
        : `desync_mitigation_mode is ${String(args.desync_mitigation_mode ?? "not set")}, expected "defensive" or "strictest"`,
  },
  {
    resourceType: "aws_lb",
    description: "load balancers must not bypass their web ACL",
    check: (args) => (isTrue(args.enable_waf_fail_open) ? "enable_waf_fail_open is true: requests pass unfiltered when WAF cannot answer" : undefined),
  },
  {
    resourceType: "aws_ecs_task_definition",
    description: "task definitions must not share the host's process or IPC namespace",
    check: (args) => {
      const shared = ["pid_mode", "ipc_mode"].filter((key) => args[key] === "host");
      return shared.length > 0 ? `${shared.join(", ")} is host` : undefined;
    },
  },
  {
    resourceType: "aws_sfn_state_machine",
    description: "state machines must log their executions",
    check: (args) => {
      const logging = asObject(asList(args.logging_configuration)[0]);
      if (!nonEmptyString(logging.log_destination)) return "logging_configuration.log_destination is not set";
      return logging.level === undefined || logging.level === "OFF" ? `logging_configuration.level is ${String(logging.level ?? "OFF (the default)")}` : undefined;
    },
  },
  {
    resourceType: "aws_wafv2_web_acl",
    description: "web ACLs must publish metrics for every rule",
    // Without them, what the firewall blocks is invisible.
    check: (args) => {
      const blind = [
        ...(isTrue(asObject(asList(args.visibility_config)[0]).cloudwatch_metrics_enabled) ? [] : ["the web ACL"]),
        ...asList(args.rule)
          .filter((rule) => !isTrue(asObject(asList(rule.visibility_config)[0]).cloudwatch_metrics_enabled))
          .map((rule) => `rule ${String(rule.name)}`),
      ];
      return blind.length > 0 ? `visibility_config.cloudwatch_metrics_enabled is not true for ${blind.join(", ")}` : undefined;
    },
  },
];

/** One resource of a stack as it will be synthesized. */
export interface SynthesizedResource {
  readonly resource: TerraformResource;
  readonly type: string;
  /** The logical id other resources reference it by (`${type}.${id}.attribute`). */
  readonly id: string;
  readonly args: ResourceArguments;
}

/** A rule over a whole stack, for safety that lives in how resources relate. */
export interface StackGuardrailRule {
  readonly description: string;
  /**
   * The arguments the rule reads, by resource type: only these are resolved (resolving every
   * resource of a stack would cost a fifth of a synth).
   */
  readonly reads: Readonly<Record<string, readonly string[]>>;
  /** The offending resources, each with what is wrong. */
  check(resources: readonly SynthesizedResource[]): Array<{ readonly resource: SynthesizedResource; readonly problem: string }>;
}

/** Whether `value` (an argument) references an attribute of `target`. */
function references(value: unknown, target: SynthesizedResource): boolean {
  return typeof value === "string" && value.includes(`\${${target.type}.${target.id}.`);
}

export const STACK_GUARDRAIL_RULES: readonly StackGuardrailRule[] = [
  {
    description: "created VPCs must have flow logs",
    reads: { aws_vpc: [], aws_flow_log: ["vpc_id"] },
    check: (resources) => {
      const flowLogs = resources.filter((candidate) => candidate.type === "aws_flow_log");
      return resources
        .filter((vpc) => vpc.type === "aws_vpc" && !flowLogs.some((flowLog) => references(flowLog.args.vpc_id, vpc)))
        .map((vpc) => ({ resource: vpc, problem: "no aws_flow_log has this VPC's vpc_id" }));
    },
  },
  {
    description: "Lambda functions must keep failed asynchronous invocations",
    reads: { aws_lambda_function: ["dead_letter_config"], aws_lambda_function_event_invoke_config: ["function_name", "destination_config"] },
    // An event the function failed on (after Lambda's retries) is otherwise dropped without a trace.
    check: (resources) => {
      const invokeConfigs = resources.filter((candidate) => candidate.type === "aws_lambda_function_event_invoke_config");
      return resources
        .filter((fn) => fn.type === "aws_lambda_function")
        .filter((fn) => {
          if (nonEmptyString(asObject(asList(fn.args.dead_letter_config)[0]).target_arn)) return false;
          return !invokeConfigs.some(
            (config) =>
              references(config.args.function_name, fn) &&
              nonEmptyString(asObject(asList(asObject(asList(config.args.destination_config)[0]).on_failure)[0]).destination),
          );
        })
        .map((fn) => ({
          resource: fn,
          problem: "neither dead_letter_config.target_arn nor an aws_lambda_function_event_invoke_config with destination_config.on_failure",
        }));
    },
  },
];
