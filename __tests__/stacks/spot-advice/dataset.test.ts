import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { dataDirectory, loadRegionDataset, loadSpotDataset } from "../../../stacks/spot-advice/dataset";
import { fixtureData } from "../../support/spot-data";

/** A project root holding spot-advisor/data with the fixture dataset; returns the data folder. */
function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "spot-project-"));
  const data = path.join(root, "spot-advisor", "data");
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(data, "spot-advisor-data.json"), JSON.stringify(fixtureData()));
  fs.writeFileSync(
    path.join(data, "spot-advisor-data.meta.json"),
    JSON.stringify({ file: "spot-advisor-data.json", source: "https://example.test", date: "2026-01-02", sha256: "ab".repeat(32), bytes: 1, license: "test" }),
  );
  return data;
}

describe("loading the dataset", () => {
  test("labels come from the dataset's ranges; sizes from instance_types; Windows is ignored", () => {
    const dataset = loadSpotDataset(project());
    expect(dataset.pool("eu-west-1", "m5.large")).toEqual({ type: "m5.large", interruption: ">20%", interruptionIndex: 4, savingsPercent: 65 });
    expect(dataset.pool("eu-west-1", "r6i.large")?.interruption).toBe("15-20%");
    expect(dataset.pool("us-east-1", "m5.large")).toBeUndefined();
    expect(dataset.spec("c6i.xlarge")).toEqual({ vcpu: 4, memoryGiB: 8 });
    expect(dataset.pool("eu-west-1", "m6i.large")?.savingsPercent).toBe(60);
    expect(dataset.ranges.map((range) => range.label)).toEqual(["<5%", "5-10%", "10-15%", "15-20%", ">20%"]);
  });

  test("synthesis reads a per-region extract cached in .build, with the same answers as the whole file", () => {
    // GIVEN
    const data = project();
    const cacheFile = path.join(data, "..", "..", ".build", "spot-advisor", `${"ab".repeat(8)}-eu-west-1.json`);

    // WHEN the first synth of the region runs
    const extract = loadRegionDataset("eu-west-1", data);
    const full = loadSpotDataset(data);

    // THEN the extract is written and agrees with the full dataset for that region
    expect(fs.existsSync(cacheFile)).toBe(true);
    expect(Object.keys(JSON.parse(fs.readFileSync(cacheFile, "utf8")).spot_advisor)).toEqual(["eu-west-1"]);
    for (const type of full.regionTypes("eu-west-1")) expect(extract.pool("eu-west-1", type)).toEqual(full.pool("eu-west-1", type));
    expect(extract.spec("g5.xlarge")).toEqual(full.spec("g5.xlarge"));
    expect(extract.hasRegion("us-east-1")).toBe(false);

    // and a later process reads the extract, not the whole file
    fs.writeFileSync(path.join(data, "spot-advisor-data.json"), "not read");
    const again = loadRegionDataset("eu-west-1", `${data}${path.sep}`);
    expect(again.pool("eu-west-1", "m5.large")?.interruption).toBe(">20%");
  });

  test("a region the snapshot lacks gives an empty extract, not an error", () => {
    const dataset = loadRegionDataset("ap-south-2", project());
    expect(dataset.hasRegion("ap-south-2")).toBe(false);
    expect(dataset.regionTypes("ap-south-2")).toEqual([]);
  });

  test("the shipped snapshot is found from the sources", () => {
    expect(fs.existsSync(path.join(dataDirectory(), "spot-advisor-data.json"))).toBe(true);
  });
});
