/**
 * What destroying or replacing a resource of each Terraform type the platform creates costs:
 * - `stateful`: it holds data or an identity that cannot come back (objects, log history, keys,
 *   queued messages, a DNS name or address others point at, the account's OIDC trust). These get
 *   `prevent_destroy` where the environment protects itself, so Terraform refuses such a plan.
 * - `disruptive`: it comes back, but replacing it interrupts what runs (instances terminated, a
 *   service deleted before its successor starts). Not blocked: `npm run diff` says what it costs.
 * - `replaceable`: Terraform recreates it without loss, many create-before-destroy (certificates,
 *   target groups, security groups), so that an ordinary change never meets `prevent_destroy`.
 *
 * A test fails when a module builds a type that is not listed here. Loads without cdktf.
 */
export type ResourceClass = "stateful" | "disruptive" | "replaceable";

export interface ResourceTypeClass {
  readonly class: ResourceClass;
  /** Why the type is in its class. */
  readonly why: string;
  /**
   * What a replacement (or destroy) does, in words, when there is more to say than "recreated".
   * @default - nothing beyond the recreation
   */
  readonly consequence?: string;
}

const stateful = (why: string, consequence: string): ResourceTypeClass => ({ class: "stateful", why, consequence });
const disruptive = (why: string, consequence: string): ResourceTypeClass => ({ class: "disruptive", why, consequence });
const replaceable = (why: string, consequence?: string): ResourceTypeClass => ({ class: "replaceable", why, ...(consequence && { consequence }) });

const CONFIGURATION = "configuration only, recreated from the stack";

export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeClass>> = {
  // stateful: data or identity that cannot come back
  aws_cloudwatch_log_group: stateful("holds the log history", "its log history is deleted"),
  aws_ecs_cluster: stateful(
    "the identity every service, task, container instance and release addresses",
    "every service, task and container instance in it goes with it",
  ),
  aws_ecr_repository: stateful(
    "holds the release images running tasks and rollbacks pull (force_delete off: Terraform cannot delete it while it holds images)",
    "every image in it is deleted: tasks that need to start (scale-out, replaced Spot instances) and rollbacks cannot pull their image",
  ),
  aws_eip: stateful("a public address partners may allow-list", "the public address is released and cannot be had again"),
  aws_iam_openid_connect_provider: stateful(
    "one per account and issuer URL: every CI role in the account trusts it",
    "every CI role in the account that trusts it stops working until it exists again",
  ),
  aws_kms_key: stateful(
    "what it encrypted (logs, messages) is readable only with it",
    "the key is scheduled for deletion: whatever it encrypted becomes unreadable after the waiting period",
  ),
  aws_lb: stateful(
    "its DNS name is what clients and DNS records outside the stack point at",
    "the new load balancer gets a new DNS name: clients and records outside this stack that point at the old one stop reaching it",
  ),
  aws_s3_bucket: stateful("holds objects (the access logs)", "every object in it is deleted with it"),
  aws_sns_topic: stateful(
    "its confirmed subscriptions: e-mail recipients must confirm a new topic again",
    "subscribers must confirm the new topic again; until they do, its alarms notify no one",
  ),
  aws_sqs_queue: stateful("holds messages (dead letters, failed runs) not yet handled", "the messages in it are dropped"),
  aws_subnet: stateful("an identity other systems place things in", "everything in the subnet, in this stack or not, must go first"),
  aws_vpc: stateful("an identity other systems place things in and peer with", "everything in the VPC, in this stack or not, must go first"),

  // disruptive: comes back, but replacing it interrupts what runs
  aws_autoscaling_group: disruptive(
    "its instances run the tasks",
    "every instance of the group is terminated at once (the tasks on them stop); the new group starts from its minimum",
  ),
  aws_ecs_service: disruptive(
    "runs the tasks; a service name is unique in its cluster, so it cannot be created before the old one is deleted",
    "the service is deleted (all its tasks stop) before the new one starts: an outage of that service",
  ),
  aws_spot_fleet_request: disruptive(
    "its instances run the tasks",
    "the request is cancelled and ALL its instances are terminated at once (terminate_instances_on_delete); the new fleet launches from zero",
  ),

  // replaceable
  aws_acm_certificate: replaceable(
    "create_before_destroy: the new certificate is issued and validated before the listener lets go of the old one",
    "a new certificate is requested and DNS-validated, then the listener switches to it",
  ),
  aws_acm_certificate_validation: replaceable("waits for validation; holds nothing"),
  aws_appautoscaling_policy: replaceable(CONFIGURATION),
  aws_appautoscaling_target: replaceable(CONFIGURATION, "the service's scaling policies are recreated with it; the task count stays"),
  aws_autoscaling_lifecycle_hook: replaceable(CONFIGURATION),
  aws_cloudwatch_dashboard: replaceable(CONFIGURATION, "the dashboard is rebuilt from the stack; its URL stays"),
  aws_cloudwatch_event_rule: replaceable(CONFIGURATION, "schedules and event matches pause between delete and create"),
  aws_cloudwatch_event_target: replaceable(CONFIGURATION),
  aws_cloudwatch_metric_alarm: replaceable(CONFIGURATION, "the alarm's history and current state start over"),
  aws_default_security_group: replaceable("adopts the VPC's default group; holds nothing"),
  aws_ecs_capacity_provider: replaceable(
    CONFIGURATION,
    "ECS refuses to delete a capacity provider that a service's strategy still uses: move the services off it first",
  ),
  aws_ecs_cluster_capacity_providers: replaceable(CONFIGURATION),
  aws_ecr_lifecycle_policy: replaceable(CONFIGURATION, "images expire only when it exists again: none are lost meanwhile"),
  aws_ecs_task_definition: replaceable(
    "revisions are immutable: every change registers a new one",
    "a new revision is registered and the old one deregistered (tasks running it keep running)",
  ),
  aws_fis_experiment_template: replaceable(CONFIGURATION, "the template gets a new id: runbooks take it from the spot_drill_experiment_template_id output; past experiments keep the old one"),
  aws_flow_log: replaceable(CONFIGURATION),
  aws_iam_instance_profile: replaceable(CONFIGURATION, "instances launched before keep the old profile until they are replaced"),
  aws_iam_role: replaceable(CONFIGURATION, "what assumed it keeps its session until the credentials expire, then needs the new role"),
  aws_iam_role_policy: replaceable(CONFIGURATION),
  aws_iam_role_policy_attachment: replaceable(CONFIGURATION),
  aws_internet_gateway: replaceable(CONFIGURATION, "public traffic stops between delete and create"),
  aws_kms_alias: replaceable(CONFIGURATION),
  aws_lambda_function: replaceable(CONFIGURATION, "events that arrive between delete and create are not handled"),
  aws_lambda_function_event_invoke_config: replaceable(CONFIGURATION),
  aws_lambda_permission: replaceable(CONFIGURATION),
  aws_launch_template: replaceable(CONFIGURATION, "what launches from it gets a new template id"),
  aws_lb_listener: replaceable(CONFIGURATION, "the port refuses connections between delete and create"),
  aws_lb_listener_rule: replaceable(CONFIGURATION, "requests the rule matched fall to the listener's default action between delete and create"),
  aws_lb_target_group: replaceable(
    "create_before_destroy with a name prefix: the new group exists before the listener rule and the service let go of the old one",
    "the listener rule and the service move to the new group; requests may fail until the service's new tasks pass its health check",
  ),
  aws_nat_gateway: replaceable(CONFIGURATION, "outbound traffic from private subnets stops until the new gateway is up"),
  aws_route: replaceable(CONFIGURATION),
  aws_route53_record: replaceable(CONFIGURATION),
  aws_route_table: replaceable(CONFIGURATION),
  aws_route_table_association: replaceable(CONFIGURATION),
  aws_s3_bucket_lifecycle_configuration: replaceable(CONFIGURATION),
  aws_s3_bucket_ownership_controls: replaceable(CONFIGURATION),
  aws_s3_bucket_policy: replaceable(CONFIGURATION),
  aws_s3_bucket_public_access_block: replaceable(CONFIGURATION),
  aws_s3_bucket_server_side_encryption_configuration: replaceable(CONFIGURATION),
  aws_security_group: replaceable("create_before_destroy with a name prefix"),
  aws_sfn_state_machine: replaceable(CONFIGURATION, "running executions are stopped"),
  aws_sns_topic_subscription: replaceable(CONFIGURATION, "an e-mail subscription must be confirmed again"),
  aws_sqs_queue_policy: replaceable(CONFIGURATION),
  aws_ssm_parameter: replaceable(CONFIGURATION, "the Spot fallback's state starts afresh: it reads its level from the group and holds longer before stepping back"),
  aws_vpc_security_group_egress_rule: replaceable(CONFIGURATION),
  aws_vpc_security_group_ingress_rule: replaceable(CONFIGURATION),
  aws_wafv2_web_acl: replaceable(CONFIGURATION, "the load balancer is unprotected between delete and create"),
  aws_wafv2_web_acl_association: replaceable(CONFIGURATION),
  aws_wafv2_web_acl_logging_configuration: replaceable(CONFIGURATION, "requests between delete and create are not logged"),
};

const UNKNOWN: ResourceTypeClass = stateful("not classified yet: treated as holding data", "unknown: the type is not classified in modules/platform/resource-types.ts");

/** The class of a type; unknown types count as stateful. */
export function resourceClass(resourceType: string): ResourceTypeClass {
  return RESOURCE_TYPES[resourceType] ?? UNKNOWN;
}

/** True for the types whose destruction loses data or identity (these get `prevent_destroy`); unknown types count as stateful. */
export function isStateful(resourceType: string): boolean {
  return resourceClass(resourceType).class === "stateful";
}
