import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { renderChart } from "../../spot-advisor/chart";
import { dataDirectory, loadSpotDataset, validateSpotAdvisorData, type SpotAdvisorData } from "../../stacks/spot-advice/dataset";
import { buildSpotReport, renderMarkdown } from "../../spot-advisor/report";
import { capacityPools } from "../../stacks/spot-advice/pools";
import { computeNames } from "../../modules/compute/compute";
import { Naming } from "../../modules/platform/naming";
import { parseEnvironmentConfig } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { fixtureData } from "../support/spot-data";
import { EXAMPLES, type ExampleName } from "../support/examples";

const directory = dataDirectory();
const metadata = JSON.parse(fs.readFileSync(path.join(directory, "spot-advisor-data.meta.json"), "utf8"));
const rawBytes = fs.readFileSync(path.join(directory, metadata.file));
/** The snapshot read independently of the advisor's own loader. */
const raw = JSON.parse(rawBytes.toString("utf8")) as SpotAdvisorData;
const label = (index: number) => raw.ranges.find((range) => range.index === index)!.label;
const report = (name: ExampleName) => buildSpotReport(parseEnvironmentConfig(EXAMPLES[name]), loadSpotDataset());

describe("the shipped Spot Instance Advisor snapshot", () => {
  test("matches its provenance record: sha256, size, a date, a source and the Apache-2.0 notice beside it", () => {
    expect(createHash("sha256").update(rawBytes).digest("hex")).toBe(metadata.sha256);
    expect(rawBytes.length).toBe(metadata.bytes);
    expect(metadata.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(metadata.source).toMatch(/^https:\/\//);
    expect(metadata.license).toBe("Apache-2.0");
    expect(fs.readFileSync(path.join(directory, "NOTICE"), "utf8")).toContain("Apache License, Version 2.0");
    expect(fs.readFileSync(path.join(directory, "LICENSE-Apache-2.0.txt"), "utf8")).toContain("Apache License");
  });

  test("is structurally valid and knows both shipped regions", () => {
    expect(validateSpotAdvisorData(raw)).toEqual([]);
    for (const input of Object.values(ENVIRONMENTS)) expect(loadSpotDataset().hasRegion(input.region)).toBe(true);
  });

  const fixture = fixtureData();
  test.each<[string, unknown, unknown]>([
    ["not an object", [], ["(root): must be a JSON object"]],
    ["no ranges", { ...fixture, ranges: [] }, expect.arrayContaining(["ranges: must be a non-empty array of { index, label, max }"])],
    ["no >20% bucket", { ...fixture, ranges: fixture.ranges.filter((range) => range.label !== ">20%") }, expect.arrayContaining(['ranges: has no ">20%" bucket'])],
    ["a type without cores", { ...fixture, instance_types: { "m6i.large": { ram_gb: 8 } } }, ["instance_types.m6i.large: must have numeric cores and ram_gb"]],
    [
      "a bucket index outside ranges",
      { ...fixture, spot_advisor: { "eu-west-1": { Linux: { "m6i.large": { s: 50, r: 9 } } } } },
      ["spot_advisor.eu-west-1.Linux.m6i.large: must be { s: savings percent <= 100, r: an index listed in ranges }"],
    ],
    ["savings over 100", { ...fixture, spot_advisor: { "eu-west-1": { Linux: { "m6i.large": { s: 120, r: 0 } } } } }, [expect.stringMatching(/^spot_advisor\.eu-west-1\.Linux\.m6i\.large: /)]],
    ["a region without Linux", { ...fixture, spot_advisor: { "eu-west-1": { Windows: {} } } }, ["spot_advisor.eu-west-1.Linux: missing"]],
    ["the fixture itself", fixture, []],
  ])("validation names what is wrong: %s", (_name, data, problems) => {
    expect(validateSpotAdvisorData(data)).toEqual(problems);
  });
});

describe.each(Object.keys(ENVIRONMENTS))("the %s report", (name) => {
  const config = parseEnvironmentConfig(ENVIRONMENTS[name]);
  const result = buildSpotReport(config, loadSpotDataset());

  test("has the issue's JSON shape", () => {
    expect(result).toMatchObject({
      environment: name,
      region: config.region,
      data: { source: metadata.source, date: metadata.date },
      estimate: { savingsVsOnDemandPercent: expect.any(Number) },
    });
    expect(result.pools.length).toBeGreaterThan(1);
    for (const pool of result.pools) {
      expect(pool).toMatchObject({ name: expect.any(String), purchase: expect.stringMatching(/^(spot|on-demand)$/) });
      for (const entry of pool.instanceTypes) {
        expect(Object.keys(entry).sort()).toEqual(["interruption", "memoryGiB", "savingsPercent", "type", "vcpu", "weight"]);
      }
    }
    for (const item of result.advice) expect(item).toMatchObject({ level: expect.stringMatching(/^(warn|info)$/), message: expect.any(String) });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  test("agrees with the snapshot: each Spot type's bucket label, savings, vCPU and memory", () => {
    const linux = raw.spot_advisor[config.region].Linux;
    const spotTypes = result.pools.filter((pool) => pool.purchase === "spot").flatMap((pool) => pool.instanceTypes);
    expect(spotTypes.length).toBeGreaterThan(3);
    for (const entry of spotTypes) {
      expect(entry).toMatchObject({
        interruption: label(linux[entry.type].r),
        savingsPercent: linux[entry.type].s,
        vcpu: raw.instance_types[entry.type].cores,
        memoryGiB: raw.instance_types[entry.type].ram_gb,
      });
    }
    const onDemandTypes = result.pools.filter((pool) => pool.purchase === "on-demand").flatMap((pool) => pool.instanceTypes);
    for (const entry of onDemandTypes) expect(entry).toMatchObject({ interruption: null, savingsPercent: null });
  });

  test("the headline estimate equals the vCPU-weighted savings recomputed from the snapshot at max capacity", () => {
    let onDemandVcpu = 0;
    let spotVcpu = 0;
    let saved = 0;
    for (const pool of capacityPools(config)) {
      const cores = (type: string) => raw.instance_types[type].cores;
      if (pool.purchase === "on-demand") {
        onDemandVcpu += pool.size.max * cores(pool.instanceTypes[0].type);
        continue;
      }
      const onDemandInside = pool.onDemandWithin
        ? Math.min(pool.size.max, pool.onDemandWithin.base) + (Math.max(0, pool.size.max - pool.onDemandWithin.base) * pool.onDemandWithin.percentAboveBase) / 100
        : 0;
      onDemandVcpu += onDemandInside * cores(pool.instanceTypes[0].type);
      for (const { type, weight } of pool.instanceTypes) {
        const vcpu = ((pool.size.max - onDemandInside) / pool.instanceTypes.length / weight) * cores(type);
        spotVcpu += vcpu;
        saved += (vcpu * raw.spot_advisor[config.region].Linux[type].s) / 100;
      }
    }
    expect(result.estimate.savingsVsOnDemandPercent).toBeCloseTo((100 * saved) / (onDemandVcpu + spotVcpu), 1);
  });

  test("Markdown: a table per pool, the mix, the estimate with its limits, the advice and the chart beside it", () => {
    const markdown = renderMarkdown(result, `${name}.svg`);
    for (const pool of result.pools) expect(markdown).toContain(`### ${pool.name} · ${pool.purchase}`);
    expect(markdown).toContain("| type | vCPU | memory GiB | interruption | Spot savings | weight |");
    expect(markdown).toContain(`**Estimated savings vs all on-demand: ${result.estimate.savingsVsOnDemandPercent}%** at max capacity.`);
    expect(markdown).toContain("relative only");
    expect(markdown).toContain(`![Capacity mix and estimated savings](${name}.svg)`);
    expect(markdown).toContain("## Advice");
  });

  test("SVG: one well-formed document with a bar per capacity level and per Spot type", () => {
    const svg = renderChart(result, raw.ranges.map((range) => range.label));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/NaN|undefined/);
    expect(svg).toContain("&gt;20%");
    for (const level of ["min", "desired", "max (headline)"]) expect(svg).toContain(`>${level}</text>`);
    const spotTypes = result.pools.filter((pool) => pool.purchase === "spot").flatMap((pool) => pool.instanceTypes);
    for (const entry of spotTypes) expect(svg).toContain(`>${entry.type} (`);
  });

  test("pool resource names are the ones Compute gives", () => {
    const names = computeNames(new Naming(config.project, config.environment));
    const byPool: Record<string, string> = { "on-demand": names.onDemand, spot: names.spot, "spot-fleet": names.spotFleet };
    for (const pool of result.pools) expect(pool.resourceName).toBe(byPool[pool.name]);
  });
});

describe("what the data says about the shipped examples", () => {
  test("staging: every Spot Fleet type in the >20% bucket of its region is flagged, by name, and nothing else is", () => {
    const config = parseEnvironmentConfig(EXAMPLES.staging);
    const linux = raw.spot_advisor[config.region].Linux;
    const risky = config.capacity.spotFleet!.instanceTypes.map((entry) => entry.type).filter((type) => label(linux[type].r) === ">20%");
    expect(risky.length).toBeGreaterThan(0);
    const warnings = report("staging").advice.filter((item) => item.level === "warn");
    expect(warnings.map((item) => [item.rule, item.type])).toEqual(risky.map((type) => ["high-interruption", type]));
    for (const type of risky) expect(warnings.find((item) => item.type === type)!.message).toContain(`[staging] Spot pool spot-fleet`);
  });

  test("production: diversified over 6 types of 4 families in 3 subnets, none >20%: no warnings", () => {
    expect(report("production").advice).toEqual([]);
  });

  test("Markdown says how each pool buys and where it runs, and shows acknowledged advice with its reason", () => {
    expect(renderMarkdown(report("production"))).toContain("max 30 instances; allocation price-capacity-optimized; all Spot; 3 subnets (their AZs are not in the config).");
    // the Spot Fleet's strategy in the config's documented spelling too, not the API's camelCase
    expect(renderMarkdown(report("staging"))).toContain("; allocation price-capacity-optimized; 2 AZ(s).");
    const input: any = structuredClone(EXAMPLES.staging);
    input.capacity.spotAdvice = { acknowledge: [{ rule: "high-interruption", type: "t4g.medium", reason: "cheapest burstable, staging only" }] };
    const markdown = renderMarkdown(buildSpotReport(parseEnvironmentConfig(input), loadSpotDataset()));
    expect(markdown).toContain("- **acknowledged (cheapest burstable, staging only)** `high-interruption`: [staging] Spot pool spot-fleet");
    expect(markdown).toContain("- **warn** `high-interruption`: [staging] Spot pool spot-fleet (capacity.spotFleet, acme-api-spot-fleet-staging): t4g.large");
    expect(markdown).toContain("2 AZ(s).");
  });
});
