import type { GuardrailRule, ResourceArguments } from "./guardrails";

const first = (value: unknown): ResourceArguments | undefined => {
  const item: unknown = Array.isArray(value) ? value[0] : value;
  return typeof item === "object" && item !== null ? (item as ResourceArguments) : undefined;
};

/** The `capacity_rebalance` block of a Spot Fleet request, when it has one. */
const capacityRebalance = (args: ResourceArguments): ResourceArguments | undefined =>
  first(first(args.spot_maintenance_strategies)?.capacity_rebalance);

/**
 * Spot Fleet capacity rebalancing that passes `terraform validate` but does not work once applied.
 * The provider (hashicorp/aws 6.25.0) sends only `replacement_strategy`: EC2 requires a
 * TerminationDelay with `launch-before-terminate` and refuses the request; on a fleet that is not
 * `maintain` the provider logs a warning and creates nothing; and with `lowestPrice` (the provider's
 * default) the replacements land in the cheapest pool, often the one about to be interrupted.
 */
export const SPOT_FLEET_RULES: readonly GuardrailRule[] = [
  {
    resourceType: "aws_spot_fleet_request",
    description: "Spot Fleet capacity rebalance must be one EC2 accepts and that replaces at lower risk",
    check: (args) => {
      const rebalance = capacityRebalance(args);
      if (!rebalance) return undefined;
      const strategy = rebalance.replacement_strategy;
      if (strategy !== "launch") {
        return `replacement_strategy is ${String(strategy ?? "unset")}, expected "launch" (launch-before-terminate needs a termination delay this provider cannot send, and the old instance must be drained before it goes: the drainer terminates it)`;
      }
      if ((args.fleet_type ?? "maintain") !== "maintain") return `fleet_type is ${String(args.fleet_type)}: capacity rebalance needs "maintain"`;
      const allocation = args.allocation_strategy ?? "lowestPrice";
      if (allocation === "lowestPrice") return `allocation_strategy is ${String(allocation)}: replacements would land in the pool most likely to be interrupted`;
      return undefined;
    },
  },
];
