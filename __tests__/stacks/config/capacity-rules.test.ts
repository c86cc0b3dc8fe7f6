import { describe, expect, test } from "vitest";
import { configProblems } from "../../support/config";
import { EXAMPLES } from "../../support/examples";

type Mutable = Record<string, any>;

/** Staging (spot-fleet mode, 2 AZs, weights 1, capacity rebalance with rebalance draining), to break in one place. */
const staging = (): Mutable => structuredClone(EXAMPLES.staging) as Mutable;

describe("Spot Fleet rebalance: drain only what the fleet replaces, and terminate what it replaced", () => {
  test.each<[string, (env: Mutable) => void, string[]]>([
    ["staging as shipped", () => undefined, []],
    ["neither rebalance setting", (env) => ((env.capacity.spotFleet.capacityRebalance = false), (env.spotDrainer.drainOnRebalance = false)), []],
    [
      // The finding: the drainer drained on rebalance, but the fleet never replaced the instance.
      "drainOnRebalance without fleet capacity rebalance",
      (env) => (env.capacity.spotFleet.capacityRebalance = false),
      [
        "spotDrainer.drainOnRebalance: drains instances the Spot Fleet does not replace: they stay DRAINING and empty, paid for and counted as capacity. Set capacity.spotFleet.capacityRebalance: true, or drain on the interruption warning only",
      ],
    ],
    [
      "fleet capacity rebalance without rebalance draining",
      (env) => (env.spotDrainer.drainOnRebalance = false),
      [
        "capacity.spotFleet.capacityRebalance: needs spotDrainer.enabled and spotDrainer.drainOnRebalance: the fleet launches a replacement but leaves the old instance running and no longer counted, and only the drainer drains and terminates it (got true)",
      ],
    ],
    [
      "fleet capacity rebalance with the drainer off",
      (env) => ((env.spotDrainer = { enabled: false }), (env.spotDrill = { enabled: false })),
      [
        "capacity.spotFleet.capacityRebalance: needs spotDrainer.enabled and spotDrainer.drainOnRebalance: the fleet launches a replacement but leaves the old instance running and no longer counted, and only the drainer drains and terminates it (got true)",
        "spotFallback.enabled: in spot-fleet mode needs spotDrainer.enabled: only its lifecycle hook drains the on-demand ASG, so stepping back to Spot would stop tasks undrained",
      ],
    ],
    [
      "fleet capacity rebalance with lowest-price",
      (env) => (env.capacity.spotFleet.allocationStrategy = "lowest-price"),
      [
        "capacity.spotFleet.allocationStrategy: lowest-price with capacityRebalance launches replacements in the pool most likely to be interrupted next: use price-capacity-optimized or capacity-optimized",
      ],
    ],
  ])("GIVEN %s WHEN validated THEN the problems are as expected", (_case, change, expected) => {
    const env = staging();
    change(env);
    expect(configProblems(env)).toEqual(expected);
  });
});

describe("Spot Fleet scaling: one signal both ways, and a floor over every AZ", () => {
  test.each<[string, (env: Mutable) => void, string[]]>([
    ["a floor of one instance in a 2-AZ network", (env) => (env.capacity.spotFleet.minCapacity = 1), [
      "capacity.spotFleet.minCapacity: must be >= 2 (2 AZs x largest weightedCapacity 1) so that scale-in keeps at least one instance per AZ: a fleet scaled in below that runs every task in one AZ",
    ]],
    [
      "a floor of 2 units that one weight-2 instance fills",
      (env) => (env.capacity.spotFleet.instanceTypes[1].weightedCapacity = 2),
      ["capacity.spotFleet.minCapacity: must be >= 4 (2 AZs x largest weightedCapacity 2) so that scale-in keeps at least one instance per AZ: a fleet scaled in below that runs every task in one AZ"],
    ],
    [
      "three AZs of existing subnets",
      (env) =>
        (env.network = {
          mode: "existing",
          vpcId: "vpc-0a1b2c3d4e5f60718",
          publicSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
          instanceSubnetIds: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012", "subnet-0a1b2c3d4e5f60013"],
        }),
      ["capacity.spotFleet.minCapacity: must be >= 3 (3 AZs x largest weightedCapacity 1) so that scale-in keeps at least one instance per AZ: a fleet scaled in below that runs every task in one AZ (got 2)"],
    ],
    [
      "a scale-in threshold that one removal pushes past scale-out",
      (env) => Object.assign(env.capacity.spotFleet, { reservationScaleOutPercent: 80, reservationScaleInPercent: 50 }),
      ["capacity.spotFleet.reservationScaleInPercent: must be at most half of reservationScaleOutPercent (80): removing one of two instances doubles the reservation, which would add the capacity back (got 50)"],
    ],
    [
      "the removed CPU target tracking",
      (env) => (env.capacity.spotFleet.targetTracking = { targetValue: 65 }),
      ["capacity.spotFleet.targetTracking: is no longer supported: the fleet scales on reservation in both directions (reservationScaleOutPercent, reservationScaleInPercent)"],
    ],
  ])("GIVEN %s WHEN validated THEN it is refused naming the field", (_case, change, expected) => {
    const env = staging();
    change(env);
    expect(configProblems(env)).toEqual(expected);
  });
});

describe("Drainer concurrency: one execution for every Spot instance a storm can warn at once", () => {
  const production = (): Mutable => structuredClone(EXAMPLES.production) as Mutable;

  test.each<[string, () => Mutable, string[]]>([
    ["production as shipped (30 Spot instances, 30 reserved)", production, []],
    ["staging as shipped (8 fleet units of weight 1, 10 reserved by default)", staging, []],
    [
      "production with the old default of 10",
      () => Object.assign(production(), { spotDrainer: { reservedConcurrency: 10 } }),
      [
        "spotDrainer.reservedConcurrency: must be >= 30 (capacity.spot.maxSize): a mass interruption warns every Spot instance at once, and a drain without a free execution is throttled and retried until its 2-minute warning is over (got 10)",
      ],
    ],
    [
      "a fleet of 12 units of weight-1 types and the default of 10",
      () => {
        const env = staging();
        env.capacity.spotFleet.maxCapacity = 12;
        return env;
      },
      [
        "spotDrainer.reservedConcurrency: must be >= 12 (capacity.spotFleet.maxCapacity 12 / lightest weightedCapacity 1): a mass interruption warns every Spot instance at once, and a drain without a free execution is throttled and retried until its 2-minute warning is over",
      ],
    ],
    [
      "a fleet of 12 units whose types all weigh 2",
      () => {
        const env = staging();
        Object.assign(env.capacity.spotFleet, { maxCapacity: 24, minCapacity: 4, targetCapacity: 4 });
        for (const type of env.capacity.spotFleet.instanceTypes) type.weightedCapacity = 2;
        return env;
      },
      [
        "spotDrainer.reservedConcurrency: must be >= 12 (capacity.spotFleet.maxCapacity 24 / lightest weightedCapacity 2): a mass interruption warns every Spot instance at once, and a drain without a free execution is throttled and retried until its 2-minute warning is over",
      ],
    ],
    ["the same pool with the drainer off", () => Object.assign(production(), { spotDrainer: { enabled: false, reservedConcurrency: 10 } }), []],
  ])("GIVEN %s WHEN validated THEN the problems are as expected", (_case, env, expected) => {
    expect(configProblems(env())).toEqual(expected);
  });
});

describe("Spot drill: only where it rehearses something and can be stopped", () => {
  test.each<[string, (env: Mutable) => void, string[]]>([
    ["staging as shipped (drill on)", () => undefined, []],
    [
      "the drill without the drainer",
      (env) => {
        env.spotDrainer = { enabled: false };
        env.capacity.spotFleet.capacityRebalance = false;
        // The Spot fallback needs the drainer in spot-fleet mode too; off here, so only the drill's rule speaks.
        env.spotFallback = { enabled: false };
      },
      ["spotDrill.enabled: needs spotDrainer.enabled: the drill rehearses the drain of interrupted instances (got true)"],
    ],
    [
      "the drill without a web service",
      (env) => (env.services = []),
      ["spotDrill.enabled: needs a web service: its 5xx alarm is what stops the drill when clients see errors (got true)"],
    ],
  ])("GIVEN %s WHEN validated THEN the problems are as expected", (_case, change, expected) => {
    const env = staging();
    change(env);
    expect(configProblems(env)).toEqual(expected);
  });

  test("GIVEN production with the drill on but no Spot capacity WHEN validated THEN it is refused", () => {
    const env = structuredClone(EXAMPLES.production) as Mutable;
    env.spotDrill = { enabled: true };
    env.capacity.spot.maxSize = 0;
    env.capacity.strategy.spotWeight = 0;
    expect(configProblems(env)).toContain("spotDrill.enabled: the environment has no Spot capacity to interrupt (capacity.spot.maxSize is 0) (got true)");
  });
});
