/**
 * The provider's plan-time refusals (CustomizeDiff functions of hashicorp/aws 6.25.0 that return an
 * error) that ordinary changes to this platform's resources can hit. Each compares a resource's
 * arguments in the base and the head stack; the message is the provider's.
 *
 * Read in the provider source and not listed: aws_lb_target_group resourceTargetGroupCustomizeDiff
 * (a TCP health check with a matcher or path; the platform's groups are HTTP, and it refuses a create
 * just the same), aws_autoscaling_group launchTemplateCustomDiff (marks the template id unknown, never
 * refuses), aws_lb customizeDiffLoadBalancerALB (forces replacement only for `subnet_mapping`, which the
 * platform does not use; `subnets` change in place), aws_ecs_service triggersCustomizeDiff (clears, never
 * refuses), the tags diffs (computed).
 */
export interface ProviderPlanRule {
  readonly resourceType: string;
  /** Where the rule lives in the provider source. */
  readonly source: string;
  /** The provider's error for this change, or undefined when the plan passes. */
  readonly check: (before: Record<string, unknown>, after: Record<string, unknown>) => string | undefined;
}

/** A set-typed block compared as a set: order is not a change. */
const asSet = (value: unknown): string => JSON.stringify((Array.isArray(value) ? value : []).map((item) => JSON.stringify(item)).sort());

export const PROVIDER_PLAN_RULES: readonly ProviderPlanRule[] = [
  {
    resourceType: "aws_ecs_service",
    source: "internal/service/ecs/service.go capacityProviderStrategyCustomizeDiff",
    check: (before, after) =>
      asSet(before.capacity_provider_strategy) !== asSet(after.capacity_provider_strategy) && after.force_new_deployment !== true
        ? "force_new_deployment should be true when capacity_provider_strategy is being updated"
        : undefined,
  },
];

/** The provider's refusals for one resource that exists in state and stays at its address (or moves). */
export function providerRefusals(type: string, before: Record<string, unknown>, after: Record<string, unknown>): Array<{ source: string; message: string }> {
  return PROVIDER_PLAN_RULES.filter((rule) => rule.resourceType === type).flatMap((rule) => {
    const message = rule.check(before, after);
    return message === undefined ? [] : [{ source: rule.source, message }];
  });
}

/** True when the head configuration sets `lifecycle.prevent_destroy`: Terraform refuses any plan that destroys the object. */
export function preventsDestroy(args: Record<string, unknown>): boolean {
  const lifecycle = args.lifecycle as { prevent_destroy?: unknown } | undefined;
  return lifecycle?.prevent_destroy === true || lifecycle?.prevent_destroy === "true";
}

/** A change that plans but that AWS can refuse when Terraform applies it. */
export interface ApplyRiskRule {
  readonly resourceType: string;
  readonly check: (before: Record<string, unknown>, after: Record<string, unknown>) => string | undefined;
}

const containerPorts = (args: Record<string, unknown>): string[] =>
  (Array.isArray(args.load_balancer) ? (args.load_balancer as Array<Record<string, unknown>>) : []).map((block) => `${String(block.container_name)}:${String(block.container_port)}`).sort();
const ignores = (args: Record<string, unknown>, name: string): boolean => {
  const ignored = (args.lifecycle as { ignore_changes?: unknown } | undefined)?.ignore_changes;
  return Array.isArray(ignored) && ignored.includes(name);
};

export const APPLY_RISK_RULES: readonly ApplyRiskRule[] = [
  {
    resourceType: "aws_ecs_service",
    check: (before, after) => {
      const added = containerPorts(after).filter((port) => !containerPorts(before).includes(port));
      if (added.length === 0 || !ignores(after, "task_definition")) return undefined;
      return (
        `load_balancer now targets ${added.join(", ")}, but the service keeps the task definition revision it runs (ignore_changes = [task_definition]): ` +
        "ECS checks the load balancer against that revision and refuses the update unless it already maps the port; run a revision with the new port first"
      );
    },
  },
];

/**
 * An update AWS refuses while Terraform applies it: the plan passes, the apply FAILS. Each rule is an
 * argument Terraform sends that the API validates against another argument that `ignore_changes`
 * keeps at what runs (ignore_changes does not apply to a create: only updates are checked).
 */
export interface ApplyRefusalRule {
  readonly resourceType: string;
  /** Which API call refuses, and on what. */
  readonly source: string;
  /** The refusal in words with the way through, or undefined when the update goes through. */
  readonly check: (before: Record<string, unknown>, after: Record<string, unknown>) => string | undefined;
}

const TRAFFIC_SHIFTING_STRATEGIES = new Set(["BLUE_GREEN", "CANARY", "LINEAR"]);
const strategyOf = (args: Record<string, unknown>): string => {
  const configuration = args.deployment_configuration as { strategy?: unknown } | Array<{ strategy?: unknown }> | undefined;
  const block = Array.isArray(configuration) ? configuration[0] : configuration;
  return String(block?.strategy ?? "ROLLING");
};
/** The address of the task definition a service is created with, from its `${aws_ecs_task_definition.x.arn}` reference. */
const createdWith = (args: Record<string, unknown>): string => /\$\{(aws_ecs_task_definition\.[^.}]+)/.exec(String(args.task_definition))?.[1] ?? "<its task definition>";
const loadBalancers = (args: Record<string, unknown>): unknown[] => (Array.isArray(args.load_balancer) ? args.load_balancer : []);

export const APPLY_REFUSAL_RULES: readonly ApplyRefusalRule[] = [
  {
    resourceType: "aws_ecs_service",
    source: "ECS UpdateService: networkConfiguration against the running task definition's networkMode",
    check: (before, after) =>
      before.network_configuration === undefined && after.network_configuration !== undefined && ignores(after, "task_definition")
        ? "network_configuration is added, but the service keeps the task definition revision it runs (ignore_changes = [task_definition]), " +
          "which has no awsvpc network mode (a service without network_configuration runs bridge or host): ECS answers InvalidParameterException " +
          '"Network Configuration is not valid for the given networkMode of this task definition". Way through: recreate the service and ' +
          `the revision it is created with in the same apply (terraform apply -replace=<this address> -replace=${createdWith(after)}, in a ` +
          "maintenance window: its tasks stop and start again), then release; or add the awsvpc service under a new name and move the route to it. " +
          "Switch the deployment strategy in a later apply"
        : undefined,
  },
  {
    resourceType: "aws_ecs_service",
    source: "ECS UpdateService: deploymentConfiguration.strategy against the service's load balancers",
    check: (before, after) => {
      const strategy = strategyOf(after);
      if (!TRAFFIC_SHIFTING_STRATEGIES.has(strategy) || strategyOf(before) === strategy || !ignores(after, "load_balancer")) return undefined;
      if (asSet(loadBalancers(before)) === asSet(loadBalancers(after))) return undefined;
      return (
        `deployment_configuration.strategy becomes ${strategy}, but load_balancer is in ignore_changes, so its new value ` +
        "(advanced_configuration: alternate target group, production listener rule, role) is never sent: ECS gets the strategy without the " +
        "load balancer configuration it needs and refuses it [inference: the exact ECS message is not verified]. Way through: recreate the " +
        `service (terraform apply -replace=<this address> -replace=${createdWith(after)}), or make the strategy change on a service created in that apply (a new name)`
      );
    },
  },
];

/** The apply-time refusals of one resource that exists in state, stays at its address (or moves) and is updated in place. */
export function applyRefusals(type: string, before: Record<string, unknown>, after: Record<string, unknown>): Array<{ source: string; message: string }> {
  return APPLY_REFUSAL_RULES.filter((rule) => rule.resourceType === type).flatMap((rule) => {
    const message = rule.check(before, after);
    return message === undefined ? [] : [{ source: rule.source, message }];
  });
}

/**
 * Resources AWS refuses to delete while another resource still uses them, by the arguments that hold
 * them. When a replacement is referenced there only through an ignored argument, the holder keeps the
 * old object, and destroying it FAILS.
 */
export const IN_USE_HOLDERS: Readonly<Record<string, { readonly holders: Readonly<Record<string, readonly string[]>>; readonly error: string }>> = {
  aws_lb_target_group: {
    holders: { aws_lb_listener_rule: ["action"], aws_lb_listener: ["default_action"] },
    error: "ResourceInUse: the target group is currently in use by a listener or a rule",
  },
};

/** The apply-time risks of one resource that exists in state and stays at its address (or moves). */
export function applyRisks(type: string, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return APPLY_RISK_RULES.filter((rule) => rule.resourceType === type).flatMap((rule) => rule.check(before, after) ?? []);
}
