/**
 * Arguments whose change makes Terraform replace (destroy and create) the resource instead of
 * updating it in place: `ForceNew` in the schemas of hashicorp/aws 6.25.0 (the version
 * @cdktf/provider-aws 21.22.1 pins), for the resource types this platform builds. Nested arguments
 * are written `block.argument`; list indexes are ignored. Types not listed here are only ever
 * reported as changes. Loads without cdktf.
 */
export const REPLACING_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_acm_certificate: ["domain_name", "subject_alternative_names", "validation_method", "validation_option", "key_algorithm", "certificate_authority_arn", "private_key", "certificate_body", "certificate_chain"],
  aws_acm_certificate_validation: ["certificate_arn", "validation_record_fqdns"],
  aws_appautoscaling_policy: ["name", "resource_id", "scalable_dimension", "service_namespace"],
  aws_appautoscaling_target: ["resource_id", "scalable_dimension", "service_namespace"],
  aws_autoscaling_group: ["name", "name_prefix"],
  aws_autoscaling_lifecycle_hook: ["name", "autoscaling_group_name"],
  aws_cloudwatch_event_rule: ["name", "name_prefix", "event_bus_name"],
  aws_cloudwatch_event_target: ["rule", "target_id", "event_bus_name"],
  aws_cloudwatch_log_group: ["name", "name_prefix", "log_group_class"],
  aws_cloudwatch_metric_alarm: ["alarm_name"],
  aws_default_security_group: ["vpc_id"],
  aws_ecs_capacity_provider: ["name", "auto_scaling_group_provider.auto_scaling_group_arn"],
  aws_ecs_cluster: ["name"],
  aws_ecs_cluster_capacity_providers: ["cluster_name"],
  // deployment_controller.type changes in place since 6.4.0 (#43434).
  aws_ecs_service: ["name", "cluster", "launch_type", "iam_role", "scheduling_strategy"],
  // Every argument of a task definition revision is immutable; the service moves to the new revision.
  aws_ecs_task_definition: [
    "family", "container_definitions", "cpu", "memory", "network_mode", "task_role_arn", "execution_role_arn", "volume",
    "placement_constraints", "requires_compatibilities", "runtime_platform", "ipc_mode", "pid_mode", "proxy_configuration",
    "ephemeral_storage", "inference_accelerator",
  ],
  aws_eip: ["domain", "network_border_group", "public_ipv4_pool", "address"],
  aws_iam_instance_profile: ["name", "name_prefix", "path"],
  aws_iam_openid_connect_provider: ["url"],
  aws_iam_role: ["name", "name_prefix", "path"],
  aws_iam_role_policy: ["name", "name_prefix", "role"],
  aws_iam_role_policy_attachment: ["role", "policy_arn"],
  aws_kms_alias: ["name", "name_prefix"],
  aws_kms_key: ["customer_master_key_spec", "key_usage", "multi_region", "custom_key_store_id", "xks_key_id"],
  aws_lambda_function: ["function_name"],
  aws_lambda_function_event_invoke_config: ["function_name", "qualifier"],
  aws_lambda_permission: ["action", "function_name", "principal", "qualifier", "source_account", "source_arn", "statement_id", "statement_id_prefix", "event_source_token", "function_url_auth_type", "principal_org_id"],
  aws_launch_template: ["name", "name_prefix"],
  aws_lb: ["name", "name_prefix", "internal", "load_balancer_type", "customer_owned_ipv4_pool"],
  aws_lb_listener: ["load_balancer_arn"],
  aws_lb_listener_rule: ["listener_arn"],
  aws_lb_target_group: ["name", "name_prefix", "port", "protocol", "protocol_version", "target_type", "vpc_id", "ip_address_type"],
  aws_nat_gateway: ["allocation_id", "connectivity_type", "subnet_id", "private_ip"],
  aws_route: ["route_table_id", "destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"],
  aws_route53_record: ["name", "zone_id", "set_identifier"],
  aws_route_table: ["vpc_id"],
  aws_route_table_association: ["subnet_id", "gateway_id"],
  aws_s3_bucket: ["bucket", "bucket_prefix", "object_lock_enabled"],
  aws_s3_bucket_lifecycle_configuration: ["bucket", "expected_bucket_owner"],
  aws_s3_bucket_ownership_controls: ["bucket"],
  aws_s3_bucket_policy: ["bucket"],
  aws_s3_bucket_public_access_block: ["bucket"],
  aws_s3_bucket_server_side_encryption_configuration: ["bucket", "expected_bucket_owner"],
  aws_security_group: ["name", "name_prefix", "description", "vpc_id"],
  aws_sfn_state_machine: ["name", "name_prefix"],
  aws_sns_topic: ["name", "name_prefix", "fifo_topic"],
  aws_sns_topic_subscription: ["topic_arn", "protocol", "endpoint"],
  // Everything about a Spot Fleet request but its capacity targets, termination policy and tags.
  aws_spot_fleet_request: [
    "iam_fleet_role", "launch_template_config", "launch_specification", "allocation_strategy", "instance_pools_to_use_count",
    "spot_price", "valid_until", "valid_from", "replace_unhealthy_instances", "instance_interruption_behaviour",
    "fleet_type", "terminate_instances_with_expiration", "load_balancers", "target_group_arns", "on_demand_allocation_strategy",
    "on_demand_max_total_price", "spot_maintenance_strategies",
  ],
  aws_sqs_queue: ["name", "name_prefix", "fifo_queue"],
  aws_sqs_queue_policy: ["queue_url"],
  aws_subnet: ["vpc_id", "cidr_block", "availability_zone", "availability_zone_id", "outpost_arn"],
  aws_vpc: ["cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length"],
  aws_vpc_security_group_egress_rule: ["security_group_id"],
  aws_vpc_security_group_ingress_rule: ["security_group_id"],
};

/**
 * The replace-forcing arguments a resource of `type` changes, by name (`port`, `container_definitions`,
 * `auto_scaling_group_provider.auto_scaling_group_arn`), given the paths of its changed leaves (e.g. `health_check[0].path`,
 * `container_definitions (json) [name=api].image`).
 */
export function replacingChanges(type: string, changedPaths: readonly string[]): string[] {
  const replacing = REPLACING_ATTRIBUTES[type] ?? [];
  const forcing = changedPaths.flatMap((changed) => {
    const key = changed.split(" ")[0].replace(/\[[^\]]*\]/g, "");
    return replacing.filter((attribute) => key === attribute || key.startsWith(`${attribute}.`));
  });
  return [...new Set(forcing)];
}

/**
 * Optional+Computed arguments whose removal from the configuration is no change: Terraform keeps
 * the value in state (an ECS service that moves from the EC2 launch type to a capacity provider
 * strategy keeps `launch_type`, so the ForceNew argument does not replace it).
 */
export const KEPT_WHEN_UNSET: Readonly<Record<string, readonly string[]>> = {
  aws_ecs_service: ["launch_type", "cluster", "iam_role", "platform_version", "deployment_configuration"],
};
