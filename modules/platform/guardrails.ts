import { Annotations, DefaultTokenResolver, IAspect, StringConcat, TerraformProvider, TerraformResource, TerraformStack, Tokenization } from "cdktf";
import { IConstruct } from "constructs";
import { LAUNCHED_RESOURCE_TAG_RULES } from "./guardrails-launch-tags";
import { REPLACEMENT_RULES } from "./guardrails-replacement";
import { SECURITY_GUARDRAIL_RULES, STACK_GUARDRAIL_RULES, type StackGuardrailRule, type SynthesizedResource } from "./guardrails-security";
import { SPOT_FLEET_RULES } from "./guardrails-spot-fleet";
import { MODERN_TLS_POLICY } from "./tls";

/** A resource's arguments as they will be synthesized: snake_case, overrides applied. */
export type ResourceArguments = Record<string, unknown>;

/** What a rule may know about the stack a resource is in. */
export interface GuardrailContext {
  /** The `default_tags` of the AWS provider the resource uses (empty without one). */
  readonly defaultTags: Readonly<Record<string, unknown>>;
}

/** One safety rule for one Terraform resource type. */
export interface GuardrailRule {
  /** Terraform resource type, e.g. `aws_launch_template`. */
  readonly resourceType: string;
  /** What the rule protects, e.g. `launch templates require IMDSv2`. */
  readonly description: string;
  /** Returns what is wrong with the resource, or undefined when it is safe; `context` tells about its stack. */
  check(args: ResourceArguments, context?: GuardrailContext): string | undefined;
}

const isTrue = (value: unknown): boolean => value === true || value === "true";
const asObject = (value: unknown): ResourceArguments =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as ResourceArguments) : {};
const asList = (value: unknown): ResourceArguments[] =>
  Array.isArray(value) ? value.map(asObject) : value === undefined ? [] : [asObject(value)];
const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];
/** ELB security policies that negotiate TLS 1.3 and 1.2 only (including their FIPS, Ext and Res variants). */
const hasEcsManagedTag = (args: ResourceArguments): boolean => asList(args.tag).some((tag) => tag.key === "AmazonECSManaged");

/** A launch template's user data as text, or undefined when it is an expression that cannot be read at synth time. */
function userDataText(args: ResourceArguments): string | undefined {
  const value = args.user_data;
  if (typeof value !== "string" || value.includes("${")) return undefined;
  return Buffer.from(value, "base64").toString("utf8");
}
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

/**
 * The project's safety rules. Each piece of the platform adds the rules for the resources it
 * builds here, so that no stack, override or escape hatch can quietly weaken them.
 */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  {
    resourceType: "aws_launch_template",
    description: "launch templates must require IMDSv2 with a hop limit of 1",
    check: (args) => {
      const metadata = asObject(args.metadata_options);
      if (metadata.http_tokens !== "required") return `metadata_options.http_tokens is ${String(metadata.http_tokens)}, expected "required"`;
      if (metadata.http_put_response_hop_limit !== 1) {
        return `metadata_options.http_put_response_hop_limit is ${String(metadata.http_put_response_hop_limit)}, expected 1 (containers must not reach the instance role)`;
      }
      return undefined;
    },
  },
  {
    resourceType: "aws_launch_template",
    description: "launch template volumes must be encrypted",
    check: (args) => {
      const unencrypted = asList(args.block_device_mappings).filter((mapping) => !isTrue(asObject(mapping.ebs).encrypted));
      return unencrypted.length > 0 ? `block device ${String(unencrypted[0].device_name)} is not encrypted` : undefined;
    },
  },
  {
    resourceType: "aws_launch_template",
    description: "ECS launch templates must enable Spot instance draining",
    check: (args) => {
      if (args.user_data === undefined) return undefined;
      const text = userDataText(args);
      if (text === undefined) return "user_data is an expression; write it as a literal so it can be checked";
      if (!/\bECS_CLUSTER=/.test(text)) return undefined;
      return /\bECS_ENABLE_SPOT_INSTANCE_DRAINING=true\b/.test(text) ? undefined : "user data sets ECS_CLUSTER without ECS_ENABLE_SPOT_INSTANCE_DRAINING=true";
    },
  },
  {
    resourceType: "aws_launch_template",
    description: "user data must not carry registry credentials",
    // Anyone who can describe the instance reads user data; use the task definition's repositoryCredentials.
    check: (args) => (/ECS_ENGINE_AUTH_(DATA|TYPE)/.test(userDataText(args) ?? "") ? "user data sets ECS_ENGINE_AUTH_*" : undefined),
  },
  {
    resourceType: "aws_ecs_cluster",
    description: "ECS clusters must have Container Insights",
    check: (args) => {
      const insights = asList(args.setting).find((setting) => setting.name === "containerInsights");
      return insights && ["enabled", "enhanced"].includes(String(insights.value)) ? undefined : "setting containerInsights is not enabled";
    },
  },
  {
    resourceType: "aws_autoscaling_group",
    description: "ASGs backing capacity providers must protect from scale-in",
    check: (args) => (hasEcsManagedTag(args) && !isTrue(args.protect_from_scale_in) ? "has the AmazonECSManaged tag but protect_from_scale_in is not true" : undefined),
  },
  {
    resourceType: "aws_autoscaling_group",
    description: "capacity rebalance needs ECS managed draining",
    // ECS gets no notice when rebalancing terminates an instance; only the capacity provider's draining hook moves its tasks.
    check: (args) => (isTrue(args.capacity_rebalance) && !hasEcsManagedTag(args) ? "capacity_rebalance is on for an ASG that backs no capacity provider" : undefined),
  },
  {
    resourceType: "aws_ecs_capacity_provider",
    description: "capacity providers must use managed draining and managed termination protection",
    check: (args) => {
      const provider = asObject(args.auto_scaling_group_provider);
      if (Object.keys(provider).length === 0) return undefined;
      const off = ["managed_draining", "managed_termination_protection"].filter((key) => provider[key] !== "ENABLED");
      return off.length > 0 ? `${off.join(", ")} not ENABLED` : undefined;
    },
  },
  {
    resourceType: "aws_ebs_volume",
    description: "EBS volumes must be encrypted",
    check: (args) => (isTrue(args.encrypted) ? undefined : "encrypted is not true"),
  },
  {
    resourceType: "aws_cloudwatch_log_group",
    description: "log groups must expire",
    check: (args) =>
      typeof args.retention_in_days === "number" && args.retention_in_days > 0 ? undefined : "retention_in_days is not set, so logs are kept (and paid for) forever",
  },
  {
    resourceType: "aws_sqs_queue",
    description: "SQS queues must be encrypted",
    check: (args) => (isTrue(args.sqs_managed_sse_enabled) || typeof args.kms_master_key_id === "string" ? undefined : "neither sqs_managed_sse_enabled nor kms_master_key_id is set"),
  },
  {
    resourceType: "aws_kms_key",
    description: "KMS keys must rotate",
    check: (args) => (isTrue(args.enable_key_rotation) ? undefined : "enable_key_rotation is not true"),
  },
  {
    resourceType: "aws_sns_topic",
    description: "SNS topics must be encrypted",
    check: (args) => (typeof args.kms_master_key_id === "string" && args.kms_master_key_id.length > 0 ? undefined : "kms_master_key_id is not set"),
  },
  {
    resourceType: "aws_s3_bucket_public_access_block",
    description: "buckets must block all public access",
    check: (args) => {
      const open = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].filter((key) => !isTrue(args[key]));
      return open.length > 0 ? `${open.join(", ")} not true` : undefined;
    },
  },
  {
    resourceType: "aws_s3_bucket_acl",
    description: "buckets must not have public ACLs",
    check: (args) => (PUBLIC_ACLS.includes(String(args.acl)) ? `acl is ${String(args.acl)}` : undefined),
  },
  {
    resourceType: "aws_s3_bucket_server_side_encryption_configuration",
    description: "buckets must be encrypted",
    check: (args) => {
      const rules = asList(args.rule);
      const encrypted = rules.some((rule) => asList(rule.apply_server_side_encryption_by_default).some((sse) => typeof sse.sse_algorithm === "string"));
      return encrypted ? undefined : "no default encryption rule";
    },
  },
  {
    resourceType: "aws_ebs_encryption_by_default",
    description: "account-wide EBS encryption must not be turned off",
    check: (args) => (args.enabled === false ? "enabled is false" : undefined),
  },
  {
    resourceType: "aws_vpc_security_group_ingress_rule",
    description: "only HTTP and HTTPS may be open to the internet",
    check: (args) => {
      const open = OPEN_CIDRS.includes(String(args.cidr_ipv4 ?? args.cidr_ipv6));
      const webPort = (args.from_port === 80 || args.from_port === 443) && args.to_port === args.from_port;
      return open && !webPort ? `ports ${String(args.from_port)}-${String(args.to_port)} are open to ${String(args.cidr_ipv4 ?? args.cidr_ipv6)}` : undefined;
    },
  },
  {
    resourceType: "aws_autoscaling_lifecycle_hook",
    description: "lifecycle hooks must continue when nobody answers",
    // ABANDON on a launching hook terminates every new instance while the drainer is broken or absent.
    check: (args) => (args.default_result === "CONTINUE" ? undefined : `default_result is ${String(args.default_result ?? "ABANDON (the default)")}, expected "CONTINUE"`),
  },
  {
    resourceType: "aws_lb",
    description: "load balancers must drop invalid header fields",
    // Malformed headers are a request-smuggling vector against the targets.
    check: (args) => (isTrue(args.drop_invalid_header_fields) || args.load_balancer_type === "network" ? undefined : "drop_invalid_header_fields is not true"),
  },
  {
    resourceType: "aws_lb_listener",
    description: "HTTPS listeners must use a TLS 1.3/1.2 security policy",
    check: (args) =>
      args.protocol === "HTTPS" && !MODERN_TLS_POLICY.test(String(args.ssl_policy))
        ? `ssl_policy is ${String(args.ssl_policy)}, expected an ELBSecurityPolicy-TLS13-1-2-* or -TLS13-1-3-* policy`
        : undefined,
  },
  {
    resourceType: "aws_ecs_task_definition",
    description: "task definitions must not use host networking",
    // Host mode puts containers in the instance's network namespace: fixed ports, and IMDS within reach.
    check: (args) => (args.network_mode === "host" ? "network_mode is host" : undefined),
  },
  {
    resourceType: "aws_ecs_task_definition",
    description: "containers must not be privileged",
    check: (args) => {
      if (typeof args.container_definitions !== "string") return undefined;
      let containers: unknown;
      try {
        containers = JSON.parse(args.container_definitions);
      } catch {
        return undefined;
      }
      const privileged = asList(containers).filter((container) => isTrue(container.privileged));
      return privileged.length > 0 ? `container ${String(privileged[0].name)} is privileged` : undefined;
    },
  },
  {
    resourceType: "aws_security_group",
    description: "security groups must declare rules as separate resources",
    // Inline rules fight aws_vpc_security_group_*_rule resources and hide ingress from the rule above.
    check: (args) => (args.ingress !== undefined || args.egress !== undefined ? "uses inline ingress/egress blocks" : undefined),
  },
  {
    resourceType: "aws_cloudwatch_event_target",
    description: "EventBridge ECS targets must have a dead-letter queue",
    // Without one, a RunTask EventBridge could not make (no capacity, throttling) is dropped silently.
    check: (args) =>
      args.ecs_target === undefined || typeof asObject(args.dead_letter_config).arn === "string" ? undefined : "ecs_target has no dead_letter_config.arn",
  },
  ...LAUNCHED_RESOURCE_TAG_RULES,
  ...SPOT_FLEET_RULES,
  ...REPLACEMENT_RULES,
  {
    resourceType: "aws_iam_openid_connect_provider",
    description: "account-wide OIDC providers must be protected from destroy",
    // One provider per account and URL: every role federating with the issuer trusts it, so destroying
    // the one environment that happened to create it must not take it away from the others.
    check: (args) => (isTrue(asObject(args.lifecycle).prevent_destroy) ? undefined : "lifecycle.prevent_destroy is not true"),
  },
  ...SECURITY_GUARDRAIL_RULES,
  {
    resourceType: "aws_cloudwatch_metric_alarm",
    description: "CloudWatch alarms must say what they mean",
    // The description is what the notification and the console show the person on call (see README, Runbook).
    check: (args) => (typeof args.alarm_description === "string" && args.alarm_description.trim().length >= 10 ? undefined : "alarm_description is missing or empty"),
  },
];

/**
 * Refuses unsafe settings anywhere in the tree at synth time. Violations become error
 * annotations naming the construct path, which fail `cdktf synth` and `app.synth()`.
 */
export class Guardrails implements IAspect {
  private readonly rulesByType = new Map<string, GuardrailRule[]>();

  constructor(
    rules: readonly GuardrailRule[] = GUARDRAIL_RULES,
    private readonly stackRules: readonly StackGuardrailRule[] = STACK_GUARDRAIL_RULES,
  ) {
    for (const rule of rules) {
      this.rulesByType.set(rule.resourceType, [...(this.rulesByType.get(rule.resourceType) ?? []), rule]);
    }
  }

  visit(node: IConstruct): void {
    if (TerraformStack.isStack(node)) {
      this.visitStack(node);
      return;
    }
    if (!TerraformResource.isTerraformResource(node)) return;
    const rules = this.rulesByType.get(node.terraformResourceType);
    if (!rules) return;
    for (const problem of this.problems(node, rules)) {
      Annotations.of(node).addError(problem);
    }
  }

  /** Rules that relate resources to each other, once per stack; each violation is reported on its resource. */
  private visitStack(stack: TerraformStack): void {
    if (this.stackRules.length === 0) return;
    const resolver = new DefaultTokenResolver(new StringConcat());
    const candidates = stack.node
      .findAll()
      .filter((node): node is TerraformResource => TerraformResource.isTerraformResource(node) && TerraformStack.of(node) === stack);
    for (const rule of this.stackRules) {
      const resources: SynthesizedResource[] = candidates
        .filter((resource) => rule.reads[resource.terraformResourceType] !== undefined)
        .map((resource) => {
          const synthesized = resource.toTerraform() as { resource?: Record<string, Record<string, ResourceArguments>> };
          const all = synthesized.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId] ?? {};
          // Resolved, so that references read `${type.id.attribute}` as in the synthesized JSON.
          const args = Object.fromEntries(
            rule.reads[resource.terraformResourceType].map((key) => [key, Tokenization.resolve(all[key], { scope: stack, resolver })]),
          );
          return { resource, type: resource.terraformResourceType, id: resource.friendlyUniqueId, args };
        });
      for (const { resource, problem } of rule.check(resources)) {
        Annotations.of(resource.resource).addError(`${rule.description}: ${problem}`);
      }
    }
  }

  /** The violations of `resource`, each as `description: what is wrong`. */
  problems(resource: TerraformResource, rules: readonly GuardrailRule[] = this.rulesByType.get(resource.terraformResourceType) ?? []): string[] {
    const synthesized = resource.toTerraform() as { resource?: Record<string, Record<string, ResourceArguments>> };
    const args = synthesized.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId] ?? {};
    let defaultTags: Record<string, unknown> | undefined;
    // Looked up only for the rules that ask: finding the provider walks the stack.
    const context: GuardrailContext = {
      get defaultTags() {
        return (defaultTags ??= providerDefaultTags(resource));
      },
    };
    return rules.flatMap((rule) => {
      const problem = rule.check(args, context);
      return problem === undefined ? [] : [`${rule.description}: ${problem}`];
    });
  }
}

/** The default tags of the provider `resource` is created with: its own, else the stack's unaliased one of its type. */
function providerDefaultTags(resource: TerraformResource): Record<string, unknown> {
  const providerType = resource.terraformGeneratorMetadata?.providerName;
  const provider =
    resource.provider ??
    TerraformStack.of(resource)
      .node.findAll()
      .find((node): node is TerraformProvider => TerraformProvider.isTerraformProvider(node) && node.alias === undefined && node.terraformResourceType === providerType);
  if (!provider) return {};
  const synthesized = provider.toTerraform() as { provider?: Record<string, Array<{ default_tags?: Array<{ tags?: Record<string, unknown> }> }>> };
  const config = Object.values(synthesized.provider ?? {})[0]?.[0];
  return config?.default_tags?.[0]?.tags ?? {};
}
