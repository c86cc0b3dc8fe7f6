/**
 * Capacity provider strategies as plain data, without cdktf: the stack puts them on services and
 * scheduled jobs, and the release CLI runs one-off tasks of a job with the same strategy.
 */

/** The cluster default: `onDemandBase` tasks on on-demand, the rest split `onDemandWeight`:`spotWeight`. */
export interface DefaultStrategySettings {
  readonly onDemandBase: number;
  readonly onDemandWeight: number;
  readonly spotWeight: number;
}

/** A capacity provider strategy item, as ECS services and RunTask targets take it. */
export interface CapacityProviderStrategyItem {
  readonly capacityProvider: string;
  readonly weight: number;
  readonly base: number;
}

/** Where a service or job runs: the default mix, or pinned to one pool. */
export type CapacityPool = "default" | "on-demand" | "spot";

/** The strategy for a pool: the default mix (base on on-demand, then weights), or one provider alone. */
export function capacityProviderStrategy(
  providers: { readonly onDemand: string; readonly spot: string },
  defaults: DefaultStrategySettings,
  pool: CapacityPool,
): CapacityProviderStrategyItem[] {
  switch (pool) {
    case "default":
      return [
        { capacityProvider: providers.onDemand, weight: defaults.onDemandWeight, base: defaults.onDemandBase },
        { capacityProvider: providers.spot, weight: defaults.spotWeight, base: 0 },
      ];
    case "on-demand":
      return [{ capacityProvider: providers.onDemand, weight: 1, base: 0 }];
    case "spot":
      return [{ capacityProvider: providers.spot, weight: 1, base: 0 }];
  }
}
