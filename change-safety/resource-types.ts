/**
 * Every Terraform resource type the platform creates, classified once: `stateful` resources hold
 * data, identity or live traffic that a destroy-and-create loses (objects, log history, keys, DNS
 * names, running tasks, queued messages, subscriptions); `replaceable` ones Terraform can recreate
 * without loss. Stateful resources get `prevent_destroy` where the environment protects itself, and
 * `npm run diff` fails when one would be destroyed or replaced.
 *
 * A test fails when a module builds a type that is not listed here: add it to one of the two lists.
 * Loads without cdktf (the diff tool reads it).
 */
export const RESOURCE_TYPES: Readonly<Record<string, "stateful" | "replaceable">> = {
  // stateful
  aws_acm_certificate: "stateful",
  aws_autoscaling_group: "stateful",
  aws_cloudwatch_log_group: "stateful",
  aws_ecs_cluster: "stateful",
  aws_ecs_service: "stateful",
  // One per account and issuer URL: every CI role in the account trusts it.
  aws_iam_openid_connect_provider: "stateful",
  aws_kms_key: "stateful",
  aws_lb: "stateful",
  aws_lb_target_group: "stateful",
  aws_s3_bucket: "stateful",
  aws_sns_topic: "stateful",
  aws_spot_fleet_request: "stateful",
  aws_sqs_queue: "stateful",
  aws_subnet: "stateful",
  aws_vpc: "stateful",
  // replaceable
  aws_acm_certificate_validation: "replaceable",
  aws_appautoscaling_policy: "replaceable",
  aws_appautoscaling_target: "replaceable",
  aws_autoscaling_lifecycle_hook: "replaceable",
  aws_cloudwatch_event_rule: "replaceable",
  aws_cloudwatch_event_target: "replaceable",
  aws_cloudwatch_metric_alarm: "replaceable",
  aws_default_security_group: "replaceable",
  aws_ecs_capacity_provider: "replaceable",
  aws_ecs_cluster_capacity_providers: "replaceable",
  aws_ecs_task_definition: "replaceable",
  aws_eip: "replaceable",
  aws_flow_log: "replaceable",
  aws_iam_instance_profile: "replaceable",
  aws_iam_role: "replaceable",
  aws_iam_role_policy: "replaceable",
  aws_iam_role_policy_attachment: "replaceable",
  aws_internet_gateway: "replaceable",
  aws_kms_alias: "replaceable",
  aws_lambda_function: "replaceable",
  aws_lambda_function_event_invoke_config: "replaceable",
  aws_lambda_permission: "replaceable",
  aws_launch_template: "replaceable",
  aws_lb_listener: "replaceable",
  aws_lb_listener_rule: "replaceable",
  aws_nat_gateway: "replaceable",
  aws_route: "replaceable",
  aws_route53_record: "replaceable",
  aws_route_table: "replaceable",
  aws_route_table_association: "replaceable",
  aws_s3_bucket_lifecycle_configuration: "replaceable",
  aws_s3_bucket_ownership_controls: "replaceable",
  aws_s3_bucket_policy: "replaceable",
  aws_s3_bucket_public_access_block: "replaceable",
  aws_s3_bucket_server_side_encryption_configuration: "replaceable",
  aws_security_group: "replaceable",
  aws_sfn_state_machine: "replaceable",
  aws_sns_topic_subscription: "replaceable",
  aws_sqs_queue_policy: "replaceable",
  // The Spot fallback's state: lost, the controller reads its level from the group and only holds longer.
  aws_ssm_parameter: "replaceable",
  aws_vpc_security_group_egress_rule: "replaceable",
  aws_vpc_security_group_ingress_rule: "replaceable",
  aws_wafv2_web_acl: "replaceable",
  aws_wafv2_web_acl_association: "replaceable",
};

/** True for the types whose destruction loses data or identity; unknown types count as stateful. */
export function isStateful(resourceType: string): boolean {
  return RESOURCE_TYPES[resourceType] !== "replaceable";
}
