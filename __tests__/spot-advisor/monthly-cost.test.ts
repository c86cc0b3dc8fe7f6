import { describe, expect, test } from "vitest";
import { parseEnvironmentConfig } from "../../stacks/config";
import type { CapacityEstimate } from "../../spot-advisor/estimate";
import { estimateMonthlyCost, HOURS_PER_MONTH } from "../../spot-advisor/monthly-cost";
import { minimalInput } from "../support/config";

const level = (onDemandVcpu: number, spotVcpu: number, savingsVsOnDemandPercent: number | null) => ({ onDemandVcpu, spotVcpu, spotSharePercent: null, savingsVsOnDemandPercent });
const capacity: CapacityEstimate = {
  savingsVsOnDemandPercent: 48,
  basis: "max",
  levels: { min: level(2, 0, 0), desired: level(2, 4, 30), max: level(4, 16, 48) },
  excludedTypes: [],
  assumptions: [],
};

describe("monthly cost estimate", () => {
  test("GIVEN a capacity estimate WHEN priced THEN the floor and the maximum are a month of vCPU-hours, Spot at the Advisor's savings", () => {
    const cost = estimateMonthlyCost(parseEnvironmentConfig(minimalInput()), capacity);
    expect(cost.floor).toEqual({ onDemandVcpuHours: 2 * HOURS_PER_MONTH, spotVcpuHours: 0, costVsAllOnDemandPercent: 100 });
    expect(cost.maximum).toEqual({ onDemandVcpuHours: 4 * HOURS_PER_MONTH, spotVcpuHours: 16 * HOURS_PER_MONTH, costVsAllOnDemandPercent: 52 });
  });

  test.each<[string, Record<string, unknown>, string, number, number]>([
    ["one NAT gateway in eu-west-1", { network: { mode: "create", cidr: "10.0.0.0/16", natGateways: "single" } }, "eu-west-1", 1, 18.4 + 35.04],
    ["a NAT gateway per AZ in us-east-1", { region: "us-east-1", network: { mode: "create", cidr: "10.0.0.0/16", natGateways: "per-az", azCount: 3 } }, "us-east-1", 3, 16.43 + 3 * 32.85],
    ["no NAT gateway", { network: { mode: "create", cidr: "10.0.0.0/16", natGateways: "none" } }, "eu-west-1", 0, 18.4],
    ["an existing network (its NAT is its owner's) in a region without prices here", { region: "ap-south-1", network: { mode: "existing", vpcId: "vpc-0a1b2c3d4e5f60718", publicSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"], instanceSubnetIds: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"] } }, "eu-west-1", 0, 18.4],
  ])("GIVEN %s WHEN priced THEN the fixed parts are the load balancer and the platform's NAT gateways", (_case, change, priceRegion, natGateways, fixedMonthlyUsd) => {
    const cost = estimateMonthlyCost(parseEnvironmentConfig({ ...minimalInput(), ...change }), capacity);
    expect(cost.priceRegion).toBe(priceRegion);
    expect(cost.fixed.find((item) => item.item === "NAT gateways")?.quantity).toBe(natGateways);
    expect(cost.fixedMonthlyUsd).toBeCloseTo(fixedMonthlyUsd, 2);
    // the prices used are stated, and a region priced as another says so
    expect(cost.assumptions.join(" ")).toContain(`list prices of ${priceRegion} in USD`);
    if (priceRegion !== (change.region ?? "eu-west-1")) expect(cost.assumptions.join(" ")).toContain(`(${String(change.region)} has none here: its own differ)`);
  });
});
