import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { Construct } from "constructs";

export interface FunctionScheduleProps {
  /** Name of the rule; at most 64 characters. */
  readonly ruleName: string;
  readonly description: string;
  /** EventBridge `rate(...)` or `cron(...)`. */
  readonly scheduleExpression: string;
}

/**
 * An EventBridge schedule that invokes a function: the rule, its target, and the permission that lets only that
 * rule invoke it. The construct ids (`schedule`, `target`, `permission`) are part of the resources' addresses.
 */
export function scheduleFunction(scope: Construct, fn: { readonly functionArn: string; readonly functionName: string }, props: FunctionScheduleProps): CloudwatchEventRule {
  const rule = new CloudwatchEventRule(scope, "schedule", {
    name: props.ruleName,
    description: props.description,
    scheduleExpression: props.scheduleExpression,
  });
  new CloudwatchEventTarget(scope, "target", { rule: rule.name, arn: fn.functionArn });
  new LambdaPermission(scope, "permission", {
    statementId: "AllowEventBridgeSchedule",
    action: "lambda:InvokeFunction",
    functionName: fn.functionName,
    principal: "events.amazonaws.com",
    sourceArn: rule.arn,
  });
  return rule;
}
