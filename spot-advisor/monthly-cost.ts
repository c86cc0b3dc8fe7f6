/**
 * A monthly cost estimate of one environment: the instance-hours (as vCPU-hours) at the capacity
 * floor and at the maximum, what Spot costs against on-demand at the Advisor's savings, and the
 * fixed parts (load balancer, NAT gateways) at list prices stated as assumptions. Logs are priced
 * per GB, since their volume is the application's. Reads config and the capacity estimate only.
 */
import type { EnvironmentConfig } from "../stacks/config";
import type { CapacityEstimate, LevelEstimate } from "./estimate";

export const HOURS_PER_MONTH = 730;

/** List prices (USD) the estimate assumes, by region; other regions use eu-west-1's, and say so. */
export const LIST_PRICES = {
  "us-east-1": { albHour: 0.0225, natHour: 0.045, natGb: 0.045, logsIngestGb: 0.5, logsStoredGbMonth: 0.03 },
  "eu-west-1": { albHour: 0.0252, natHour: 0.048, natGb: 0.048, logsIngestGb: 0.57, logsStoredGbMonth: 0.03 },
} as const;
const FALLBACK_REGION = "eu-west-1";

export interface CapacityCost {
  /** vCPU-hours a month on on-demand and on Spot instances. */
  readonly onDemandVcpuHours: number;
  readonly spotVcpuHours: number;
  /** What the capacity costs against the same vCPU-hours all on-demand, percent (100 - savings); null without capacity. */
  readonly costVsAllOnDemandPercent: number | null;
}

export interface FixedCost {
  readonly item: "load balancer" | "NAT gateways";
  readonly quantity: number;
  /** USD a month for the hours alone; usage (LCUs, GB processed) comes on top. */
  readonly monthlyUsd: number;
  readonly usage: string;
}

export interface MonthlyCostEstimate {
  readonly hoursPerMonth: number;
  /** The region whose list prices are used. */
  readonly priceRegion: string;
  readonly floor: CapacityCost;
  readonly maximum: CapacityCost;
  readonly fixed: readonly FixedCost[];
  /** USD a month of the fixed parts' hours. */
  readonly fixedMonthlyUsd: number;
  readonly logs: { readonly retentionDays: number; readonly ingestUsdPerGb: number; readonly storedUsdPerGbMonth: number };
  readonly assumptions: readonly string[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function capacityCost(level: LevelEstimate): CapacityCost {
  return {
    onDemandVcpuHours: Math.round(level.onDemandVcpu * HOURS_PER_MONTH),
    spotVcpuHours: Math.round(level.spotVcpu * HOURS_PER_MONTH),
    costVsAllOnDemandPercent: level.savingsVsOnDemandPercent === null ? null : round2(100 - level.savingsVsOnDemandPercent),
  };
}

/** NAT gateways the platform creates: none in an existing network (they are its owner's). */
export function natGatewayCount(network: EnvironmentConfig["network"]): number {
  if (network.mode !== "create") return 0;
  return network.natGateways === "per-az" ? network.azCount : network.natGateways === "single" ? 1 : 0;
}

export function estimateMonthlyCost(config: EnvironmentConfig, capacity: CapacityEstimate): MonthlyCostEstimate {
  const priceRegion = Object.hasOwn(LIST_PRICES, config.region) ? config.region : FALLBACK_REGION;
  const prices = LIST_PRICES[priceRegion as keyof typeof LIST_PRICES];
  const nat = natGatewayCount(config.network);
  const fixed: FixedCost[] = [
    { item: "load balancer", quantity: 1, monthlyUsd: round2(prices.albHour * HOURS_PER_MONTH), usage: "plus load balancer capacity units (LCUs) for the traffic" },
    { item: "NAT gateways", quantity: nat, monthlyUsd: round2(nat * prices.natHour * HOURS_PER_MONTH), usage: `plus $${prices.natGb} per GB processed (image pulls, AWS API calls)` },
  ];
  return {
    hoursPerMonth: HOURS_PER_MONTH,
    priceRegion,
    floor: capacityCost(capacity.levels.min),
    maximum: capacityCost(capacity.levels.max),
    fixed,
    fixedMonthlyUsd: round2(fixed.reduce((sum, item) => sum + item.monthlyUsd, 0)),
    logs: { retentionDays: config.logs.retentionDays, ingestUsdPerGb: prices.logsIngestGb, storedUsdPerGbMonth: prices.logsStoredGbMonth },
    assumptions: [
      `a month is ${HOURS_PER_MONTH} hours; the floor is every group at its minimum, the maximum every group at its maximum, all month`,
      "instances are counted in vCPU-hours: no instance price snapshot is shipped; multiply by your on-demand price per vCPU-hour, Spot at the percentage shown (the Advisor's average savings, weighted by vCPU)",
      `list prices of ${priceRegion} in USD${priceRegion === config.region ? "" : ` (${config.region} has none here: its own differ)`}: load balancer $${prices.albHour}/hour, NAT gateway $${prices.natHour}/hour and $${prices.natGb}/GB, logs $${prices.logsIngestGb}/GB ingested and $${prices.logsStoredGbMonth}/GB-month stored; check the AWS pricing pages`,
      "not included: EBS root volumes, data transfer, load balancer capacity units, WAF, KMS keys, CloudWatch alarms and Container Insights, Lambda and Step Functions",
    ],
  };
}
