import { SpotDataset, type SpotAdvisorData } from "../../stacks/spot-advice/dataset";

export const RANGES = [
  { index: 0, label: "<5%", dots: 0, max: 5 },
  { index: 1, label: "5-10%", dots: 1, max: 11 },
  { index: 2, label: "10-15%", dots: 2, max: 16 },
  { index: 3, label: "15-20%", dots: 3, max: 22 },
  { index: 4, label: ">20%", dots: 4, max: 100 },
];

/**
 * A small dataset in AWS's format: eu-west-1 with x86 and Graviton types across the buckets,
 * us-east-1 with one type. `r` is the bucket index, `s` the savings percent.
 */
export function fixtureData(): SpotAdvisorData {
  return {
    ranges: RANGES,
    global_rate: "<10%",
    instance_types: {
      "m7i.large": { cores: 2, ram_gb: 8 },
      "m6i.large": { cores: 2, ram_gb: 8 },
      "m6a.large": { cores: 2, ram_gb: 8 },
      "c6i.large": { cores: 2, ram_gb: 4 },
      "c6i.xlarge": { cores: 4, ram_gb: 8 },
      "r6i.large": { cores: 2, ram_gb: 16 },
      "m5.large": { cores: 2, ram_gb: 8 },
      "m6i.metal": { cores: 128, ram_gb: 512 },
      "t3.large": { cores: 2, ram_gb: 8 },
      "x2iedn.large": { cores: 2, ram_gb: 64 },
      "m7g.large": { cores: 2, ram_gb: 8 },
      "c7g.large": { cores: 2, ram_gb: 4 },
      "m6g.large": { cores: 2, ram_gb: 8 },
      "t4g.large": { cores: 2, ram_gb: 8 },
      "g5.xlarge": { cores: 4, ram_gb: 16 },
    },
    spot_advisor: {
      "eu-west-1": {
        Linux: {
          "m7i.large": { s: 50, r: 2 },
          "m6i.large": { s: 60, r: 0 },
          "m6a.large": { s: 40, r: 0 },
          "c6i.large": { s: 70, r: 0 },
          "c6i.xlarge": { s: 60, r: 1 },
          "r6i.large": { s: 55, r: 3 },
          "m5.large": { s: 65, r: 4 },
          "m6i.metal": { s: 30, r: 0 },
          "t3.large": { s: 70, r: 0 },
          "x2iedn.large": { s: 50, r: 0 },
          "m7g.large": { s: 52, r: 0 },
          "c7g.large": { s: 54, r: 0 },
          "m6g.large": { s: 50, r: 1 },
          "t4g.large": { s: 56, r: 4 },
        },
        Windows: { "m6i.large": { s: 40, r: 4 } },
      },
      "us-east-1": { Linux: { "m6i.large": { s: 65, r: 1 } } },
    },
  };
}

export function fixtureDataset(data: SpotAdvisorData = fixtureData()): SpotDataset {
  return new SpotDataset(data, {
    file: "spot-advisor-data.json",
    source: "https://example.test/spot-advisor-data.json",
    date: "2026-01-02",
    dateBasis: "fixture",
    sha256: "0".repeat(64),
    bytes: 0,
    license: "test",
  });
}
