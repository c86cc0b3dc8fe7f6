import { describe, expect, test } from "vitest";
import { estimateSavings, onDemandUnitsWithin, strategyMix } from "../../spot-advisor/estimate";
import { capacityPools } from "../../stacks/spot-advice/pools";
import { parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { minimalInput } from "../support/config";
import { fixtureDataset } from "../support/spot-data";
import { EXAMPLES } from "../support/examples";

const dataset = fixtureDataset();
const estimate = (input: EnvironmentInput) => {
  const config = parseEnvironmentConfig(input);
  return estimateSavings(capacityPools(config), config.region, dataset);
};

/** Capacity providers: on-demand ASG of m6i.large (1..2), Spot ASG of m6i.large (60 %) + m6a.large (40 %), 0..`spotMax`. */
function asgInput(spot: Record<string, unknown> = {}): EnvironmentInput {
  const input: any = minimalInput();
  input.capacity.onDemand = { instanceTypes: ["m6i.large"], minSize: 1, maxSize: 2 };
  input.capacity.spot = { instanceTypes: ["m6i.large", "m6a.large"], minSize: 0, maxSize: 4, ...spot };
  return input;
}

/** Spot Fleet (staging): on-demand m7g.large 0..1, fleet m7g.large (weight 1, 52 %) + c7g.large (weight 2, 54 %), 4/4/8 units (the floor is 2 AZs x weight 2). */
function fleetInput(): EnvironmentInput {
  const input: any = structuredClone(EXAMPLES.staging);
  input.capacity.onDemand = { instanceTypes: ["m7g.large"], minSize: 0, maxSize: 1, desiredCapacity: 0 };
  input.capacity.spotFleet = {
    ...input.capacity.spotFleet,
    instanceTypes: [
      { type: "m7g.large", weightedCapacity: 1 },
      { type: "c7g.large", weightedCapacity: 2 },
    ],
    minCapacity: 4,
    targetCapacity: 4,
    maxCapacity: 8,
  };
  return input;
}

describe("estimated savings vs all on-demand (vCPU-weighted)", () => {
  test("Spot ASG: on-demand base only at min/desired, 2 x 2 vCPU on-demand + 4 x 2 vCPU Spot at max", () => {
    // max: on-demand 2 x 2 = 4 vCPU; Spot 2 x m6i (2 vCPU, 60 %) + 2 x m6a (2 vCPU, 40 %) = 8 vCPU saving 2.4 + 1.6 = 4 → 4/12
    const result = estimate(asgInput());
    expect(result.levels).toEqual({
      min: { onDemandVcpu: 2, spotVcpu: 0, spotSharePercent: 0, savingsVsOnDemandPercent: 0 },
      desired: { onDemandVcpu: 2, spotVcpu: 0, spotSharePercent: 0, savingsVsOnDemandPercent: 0 },
      max: { onDemandVcpu: 4, spotVcpu: 8, spotSharePercent: 66.7, savingsVsOnDemandPercent: 33.3 },
    });
    expect(result.savingsVsOnDemandPercent).toBe(33.3);
    expect(result.basis).toBe("max");
  });

  test("a Spot ASG's own on-demand base and percentage count as on-demand", () => {
    // max 5: 1 base + 50 % of 4 = 3 on-demand inside the pool, 2 Spot (1 m6i, 1 m6a): saved 1.2 + 0.8 = 2 of 4 + 6 + 4 = 14 vCPU
    const result = estimate(asgInput({ maxSize: 5, onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 50 }));
    expect(result.levels.max).toEqual({ onDemandVcpu: 10, spotVcpu: 4, spotSharePercent: 28.6, savingsVsOnDemandPercent: 14.3 });
  });

  test("Spot Fleet: capacity units spread evenly over the types, instances = units / weight", () => {
    // desired 4 units: 2 to m7g (2 instances, 4 vCPU, 52 %), 2 to c7g (1 instance, 2 vCPU, 54 %): saved 2.08 + 1.08 = 3.16 of 6
    // max 8 units + 1 on-demand m7g (2 vCPU): Spot 8 + 4 vCPU, saved 4.16 + 2.16 = 6.32 of 14
    const result = estimate(fleetInput());
    expect(result.levels.desired).toEqual({ onDemandVcpu: 0, spotVcpu: 6, spotSharePercent: 100, savingsVsOnDemandPercent: 52.7 });
    expect(result.levels.max).toEqual({ onDemandVcpu: 2, spotVcpu: 12, spotSharePercent: 85.7, savingsVsOnDemandPercent: 45.1 });
    expect(result.levels.min).toEqual(result.levels.desired);
  });

  test("types the data lacks are left out and listed", () => {
    const result = estimate(asgInput({ instanceTypes: ["m6i.large", "m8i.large"] }));
    expect(result.excludedTypes).toEqual(["m8i.large"]);
    // max: 4 Spot instances all counted as m6i (60 %): 8 vCPU saving 4.8 of 12
    expect(result.levels.max).toEqual({ onDemandVcpu: 4, spotVcpu: 8, spotSharePercent: 66.7, savingsVsOnDemandPercent: 40 });
  });

  test("no capacity at a level: shares and savings are null, not 0", () => {
    const input: any = asgInput();
    input.capacity.onDemand.minSize = 0;
    expect(estimate(input).levels.min).toEqual({ onDemandVcpu: 0, spotVcpu: 0, spotSharePercent: null, savingsVsOnDemandPercent: null });
  });

  test("every assumption is stated", () => {
    expect(estimate(asgInput()).assumptions.join(" ")).toMatch(/relative only.*proportional to vCPU.*spread evenly.*first listed type.*not included/s);
  });
});

describe("capacity mix", () => {
  test.each([
    [{ onDemandBase: 1, onDemandWeight: 1, spotWeight: 4 }, 80],
    [{ onDemandBase: 0, onDemandWeight: 1, spotWeight: 1 }, 50],
    [{ onDemandBase: 2, onDemandWeight: 0, spotWeight: 3 }, 100],
    [{ onDemandBase: 2, onDemandWeight: 1, spotWeight: 0 }, 0],
  ])("strategy %j puts %d% of the tasks above the base on Spot", (strategy, share) => {
    const input: any = asgInput();
    input.capacity.strategy = strategy;
    expect(strategyMix(parseEnvironmentConfig(input))).toEqual({
      onDemandBaseTasks: strategy.onDemandBase,
      onDemandWeight: strategy.onDemandWeight,
      spotWeight: strategy.spotWeight,
      spotShareAboveBasePercent: share,
    });
  });

  test("Spot Fleet mode has no capacity provider strategy", () => {
    expect(strategyMix(parseEnvironmentConfig(fleetInput()))).toBeNull();
  });

  test.each([
    [0, 0],
    [1, 1],
    [5, 3],
    [9, 5],
  ])("a Spot ASG with base 1 and 50 %% above it runs %d instances with %d on-demand", (units, onDemand) => {
    const [, spot] = capacityPools(parseEnvironmentConfig(asgInput({ maxSize: 10, onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 50 })));
    expect(onDemandUnitsWithin(spot, units)).toBe(onDemand);
  });
});
