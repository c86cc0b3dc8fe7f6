/**
 * The Spot pool report of one environment: its pools as the Spot Instance Advisor data sees them,
 * the capacity mix, the estimated savings and the advice. Loads the config and the dataset only,
 * never cdktf.
 */
import type { EnvironmentConfig } from "../stacks/config";
import { adviseSpotPools, type SpotAdvice } from "../stacks/spot-advice/advice";
import type { SpotDataset } from "../stacks/spot-advice/dataset";
import { CAPACITY_LEVELS, estimateSavings, strategyMix, type CapacityEstimate, type StrategyMix } from "./estimate";
import { estimateMonthlyCost, type MonthlyCostEstimate } from "./monthly-cost";
import { capacityPools, type CapacityPoolSpec, type Purchase } from "../stacks/spot-advice/pools";

export interface ReportInstanceType {
  readonly type: string;
  readonly vcpu: number | null;
  readonly memoryGiB: number | null;
  /** The dataset's bucket label exactly; null for on-demand pools and types the data lacks in the region. */
  readonly interruption: string | null;
  /** Spot savings over on-demand per the dataset; null for on-demand pools and types the data lacks. */
  readonly savingsPercent: number | null;
  /** Capacity units one instance counts for (Spot Fleet weightedCapacity; 1 in an ASG). */
  readonly weight: number;
}

export interface ReportPool {
  readonly name: string;
  readonly configPath: string;
  readonly resourceName: string;
  readonly kind: CapacityPoolSpec["kind"];
  readonly purchase: Purchase;
  readonly unit: CapacityPoolSpec["unit"];
  readonly size: CapacityPoolSpec["size"];
  readonly onDemandWithin: CapacityPoolSpec["onDemandWithin"] | null;
  readonly allocationStrategy: string | null;
  readonly availabilityZones: number | null;
  readonly subnets: number;
  readonly instanceTypes: readonly ReportInstanceType[];
}

export interface SpotReport {
  readonly environment: string;
  readonly region: string;
  readonly architecture: string;
  readonly data: { readonly source: string; readonly date: string; readonly sha256: string; readonly license: string };
  readonly pools: readonly ReportPool[];
  readonly capacityMix: { readonly strategy: StrategyMix | null };
  readonly estimate: CapacityEstimate;
  /** A month of the environment at its floor and at its maximum. */
  readonly monthlyCost: MonthlyCostEstimate;
  readonly advice: ReadonlyArray<Pick<SpotAdvice, "level" | "rule" | "pool" | "type" | "message" | "acknowledged" | "whenApplied">>;
}

export function buildSpotReport(config: EnvironmentConfig, dataset: SpotDataset): SpotReport {
  const pools = capacityPools(config);
  const region = config.region;
  const estimate = estimateSavings(pools, region, dataset);
  return {
    environment: config.environment,
    region,
    architecture: config.capacity.architecture,
    data: { source: dataset.metadata.source, date: dataset.metadata.date, sha256: dataset.metadata.sha256, license: dataset.metadata.license },
    pools: pools.map((pool) => ({
      name: pool.name,
      configPath: pool.configPath,
      resourceName: pool.resourceName,
      kind: pool.kind,
      purchase: pool.purchase,
      unit: pool.unit,
      size: pool.size,
      onDemandWithin: pool.onDemandWithin ?? null,
      allocationStrategy: pool.allocationStrategy ?? null,
      availabilityZones: pool.availabilityZones ?? null,
      subnets: pool.subnets,
      instanceTypes: pool.instanceTypes.map(({ type, weight }) => {
        const spec = dataset.spec(type);
        const spot = pool.purchase === "spot" ? dataset.pool(region, type) : undefined;
        return {
          type,
          vcpu: spec?.vcpu ?? null,
          memoryGiB: spec?.memoryGiB ?? null,
          interruption: spot?.interruption ?? null,
          savingsPercent: spot?.savingsPercent ?? null,
          weight,
        };
      }),
    })),
    capacityMix: { strategy: strategyMix(config) },
    estimate,
    monthlyCost: estimateMonthlyCost(config, estimate),
    advice: adviseSpotPools(config, dataset).map(({ level, rule, pool, type, message, acknowledged, whenApplied }) => ({
      level,
      rule,
      pool,
      ...(type === undefined ? {} : { type }),
      message,
      ...(acknowledged === undefined ? {} : { acknowledged }),
      ...(whenApplied === undefined ? {} : { whenApplied }),
    })),
  };
}

const percent = (value: number | null) => (value === null ? "n/a" : `${value}%`);
const cell = (value: string | number | null) => (value === null ? "—" : String(value).replace(/\|/g, "\\|"));

/** The report as Markdown; `chartFile` is the SVG's name beside it. */
export function renderMarkdown(report: SpotReport, chartFile?: string): string {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(`# Spot capacity report: ${report.environment} (${report.region}, ${report.architecture})`, "");
  push(
    `Data: AWS Spot Instance Advisor snapshot of ${report.data.date} (${report.data.source}, sha256 \`${report.data.sha256.slice(0, 12)}…\`, ${report.data.license}). ` +
      "Interruption buckets are the frequency of interruptions over the trailing month; savings are relative to on-demand. No prices: every figure here is relative.",
    "",
  );
  if (chartFile) push(`![Capacity mix and estimated savings](${chartFile})`, "");

  push("## Pools", "");
  for (const pool of report.pools) {
    const within = !pool.onDemandWithin
      ? ""
      : pool.onDemandWithin.base === 0 && pool.onDemandWithin.percentAboveBase === 0
        ? "; all Spot"
        : `; on-demand inside the pool: first ${pool.onDemandWithin.base}, then ${pool.onDemandWithin.percentAboveBase}% of the rest`;
    push(
      `### ${pool.name} · ${pool.purchase} · ${pool.kind} \`${pool.resourceName}\``,
      "",
      `\`${pool.configPath}\`: min ${pool.size.min}, desired ${pool.size.desired}, max ${pool.size.max} ${pool.unit}` +
        `${pool.allocationStrategy ? `; allocation ${pool.allocationStrategy}` : ""}${within}; ` +
        `${pool.availabilityZones === null ? `${pool.subnets} subnets (their AZs are not in the config)` : `${pool.availabilityZones} AZ(s)`}.`,
      "",
      "| type | vCPU | memory GiB | interruption | Spot savings | weight |",
      "| --- | ---: | ---: | --- | ---: | ---: |",
      ...pool.instanceTypes.map((entry) =>
        pool.purchase === "on-demand"
          ? `| ${entry.type} | ${cell(entry.vcpu)} | ${cell(entry.memoryGiB)} | on-demand | — | ${entry.weight} |`
          : `| ${entry.type} | ${cell(entry.vcpu)} | ${cell(entry.memoryGiB)} | ${entry.interruption ?? "unknown in region"} | ${percent(entry.savingsPercent)} | ${entry.weight} |`,
      ),
      "",
    );
  }

  push("## Capacity mix", "");
  const strategy = report.capacityMix.strategy;
  push(
    strategy
      ? `Task placement (cluster default capacity provider strategy): the first ${strategy.onDemandBaseTasks} task(s) on on-demand, then ${strategy.onDemandWeight}:${strategy.spotWeight} on-demand:Spot, i.e. ${strategy.spotShareAboveBasePercent}% of the tasks above the base on Spot.`
      : "Task placement: no capacity providers (Spot Fleet mode); tasks run on whatever instances the on-demand ASG and the Spot Fleet provide.",
    "",
    "Instance capacity and the estimated savings against running the same vCPUs all on-demand:",
    "",
    "| capacity | on-demand vCPU | Spot vCPU | Spot share | est. savings vs all on-demand |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...CAPACITY_LEVELS.map((level) => {
      const row = report.estimate.levels[level];
      return `| ${level}${level === report.estimate.basis ? " (headline)" : ""} | ${row.onDemandVcpu} | ${row.spotVcpu} | ${percent(row.spotSharePercent)} | ${percent(row.savingsVsOnDemandPercent)} |`;
    }),
    "",
    `**Estimated savings vs all on-demand: ${percent(report.estimate.savingsVsOnDemandPercent)}** at ${report.estimate.basis} capacity.`,
    "",
    "How this is estimated (and its limits):",
    "",
    ...report.estimate.assumptions.map((assumption) => `- ${assumption}`),
    ...(report.estimate.excludedTypes.length > 0
      ? [`- left out, the data lacks their size or Spot savings here: ${report.estimate.excludedTypes.join(", ")}`]
      : []),
    "",
  );

  const cost = report.monthlyCost;
  const vcpuHours = (level: MonthlyCostEstimate["floor"]) =>
    `| ${level.onDemandVcpuHours} | ${level.spotVcpuHours} | ${level.costVsAllOnDemandPercent === null ? "n/a" : `${level.costVsAllOnDemandPercent}%`} |`;
  push(
    "## Monthly cost estimate",
    "",
    `A month (${cost.hoursPerMonth} h) of instances, in vCPU-hours, and what they cost against the same vCPU-hours all on-demand:`,
    "",
    "| capacity | on-demand vCPU-h | Spot vCPU-h | cost vs all on-demand |",
    "| --- | ---: | ---: | ---: |",
    `| floor (every group at its minimum) ${vcpuHours(cost.floor)}`,
    `| maximum (every group at its maximum) ${vcpuHours(cost.maximum)}`,
    "",
    `Fixed parts at ${cost.priceRegion} list prices: ${cost.fixed.map((item) => `${item.item} x${item.quantity}: $${item.monthlyUsd} (${item.usage})`).join("; ")}. **$${cost.fixedMonthlyUsd} a month** before usage.`,
    `Logs (kept ${cost.logs.retentionDays} days): $${cost.logs.ingestUsdPerGb} per GB ingested and $${cost.logs.storedUsdPerGbMonth} per GB-month stored; the volume is the application's.`,
    "",
    "Assumptions:",
    "",
    ...cost.assumptions.map((assumption) => `- ${assumption}`),
    "",
  );

  push("## Advice", "");
  if (report.advice.length === 0) push("Nothing to flag: every Spot pool is diversified, in several AZs and on types the data rates below 20% interruption.", "");
  for (const item of report.advice) {
    const tag = item.acknowledged !== undefined ? `acknowledged (${item.acknowledged})` : item.level;
    push(`- **${tag}** \`${item.rule}\`: ${item.message}${item.whenApplied ? ` ${item.whenApplied}` : ""}`);
  }
  if (report.advice.length > 0) push("", "Acknowledge a warning on purpose in `capacity.spotAdvice.acknowledge: [{ rule, type?, reason }]`.", "");
  return lines.join("\n");
}
