import type { GuardrailRule, ResourceArguments } from "./guardrails";

/**
 * Resource types whose name is unique in the account (and region), with the argument that holds
 * it and whether the provider offers `name_prefix`.
 */
const UNIQUELY_NAMED: ReadonlyArray<{ readonly type: string; readonly nameArgument: string; readonly prefix: boolean }> = [
  { type: "aws_lb_target_group", nameArgument: "name", prefix: true },
  { type: "aws_lb", nameArgument: "name", prefix: true },
  { type: "aws_launch_template", nameArgument: "name", prefix: true },
  { type: "aws_security_group", nameArgument: "name", prefix: true },
  { type: "aws_autoscaling_group", nameArgument: "name", prefix: true },
  { type: "aws_iam_role", nameArgument: "name", prefix: true },
  { type: "aws_iam_policy", nameArgument: "name", prefix: true },
  { type: "aws_iam_instance_profile", nameArgument: "name", prefix: true },
  { type: "aws_sqs_queue", nameArgument: "name", prefix: true },
  { type: "aws_sns_topic", nameArgument: "name", prefix: true },
  { type: "aws_cloudwatch_log_group", nameArgument: "name", prefix: true },
  { type: "aws_cloudwatch_event_rule", nameArgument: "name", prefix: true },
  { type: "aws_kms_alias", nameArgument: "name", prefix: true },
  { type: "aws_ecs_capacity_provider", nameArgument: "name", prefix: false },
  { type: "aws_ecs_cluster", nameArgument: "name", prefix: false },
  { type: "aws_ecs_service", nameArgument: "name", prefix: false },
  { type: "aws_lambda_function", nameArgument: "function_name", prefix: false },
  { type: "aws_sfn_state_machine", nameArgument: "name", prefix: true },
  // PutMetricAlarm overwrites a namesake, and deleting the old alarm then deletes the new one.
  { type: "aws_cloudwatch_metric_alarm", nameArgument: "alarm_name", prefix: false },
];

const createsBeforeDestroying = (args: ResourceArguments): boolean => {
  const lifecycle = args.lifecycle;
  const value = typeof lifecycle === "object" && lifecycle !== null ? (lifecycle as ResourceArguments).create_before_destroy : undefined;
  return value === true || value === "true";
};

/**
 * `create_before_destroy` creates the replacement while the old resource still exists. With a
 * fixed unique name the create fails (DuplicateTargetGroupName, InvalidLaunchTemplateName.AlreadyExists,
 * EntityAlreadyExists ...) exactly when a replace-forcing change is applied.
 */
export const REPLACEMENT_RULES: readonly GuardrailRule[] = UNIQUELY_NAMED.map(({ type, nameArgument, prefix }) => ({
  resourceType: type,
  description: "resources replaced create-before-destroy must not have a fixed unique name",
  check: (args: ResourceArguments) =>
    createsBeforeDestroying(args) && typeof args[nameArgument] === "string"
      ? `lifecycle.create_before_destroy with ${nameArgument} "${args[nameArgument] as string}": the replacement cannot take the name while the old one holds it; ${
          prefix ? `use ${nameArgument === "name" ? "name_prefix" : `${nameArgument} prefix`}` : "drop create_before_destroy"
        }`
      : undefined,
}));
