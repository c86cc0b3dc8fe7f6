/**
 * The provider's plan-time refusals (CustomizeDiff functions of hashicorp/aws 6.25.0 that return an
 * error) that ordinary changes to this platform's resources can hit. Each compares a resource's
 * arguments in the base and the head stack; the message is the provider's.
 *
 * Checked and not listed, because the platform's own arguments cannot reach them: aws_lb_target_group
 * (TCP health-check matcher/path; the platform's groups are HTTP), aws_ecs_service triggersCustomizeDiff
 * (clears, never refuses), the tags diffs of every type (computed, never refuse).
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
