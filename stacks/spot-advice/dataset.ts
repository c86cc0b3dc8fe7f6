/**
 * The AWS Spot Instance Advisor dataset (`spot-advisor-data.json`) shipped in `spot-advisor/data/`:
 * per region and OS, each instance type's interruption-frequency bucket and savings over on-demand,
 * plus every type's vCPU and memory. Loaded on first use and kept for the process. Synthesis needs
 * one region per environment: it reads a per-region extract cached in `.build/spot-advisor/` (keyed
 * by the snapshot's sha256) instead of parsing the whole file on every run.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The operating system the platform runs (ECS-optimized Amazon Linux 2023). */
export const DATASET_OS = "Linux";

/** One interruption-frequency bucket, e.g. `{ index: 4, label: ">20%", max: 100 }`. */
export interface InterruptionRange {
  readonly index: number;
  readonly label: string;
  readonly max: number;
}

/** The raw file's shape, as AWS publishes it. */
export interface SpotAdvisorData {
  readonly instance_types: Record<string, { readonly cores: number; readonly ram_gb: number; readonly emr?: boolean }>;
  readonly ranges: readonly InterruptionRange[];
  readonly spot_advisor: Record<string, Record<string, Record<string, { readonly s: number; readonly r: number }>>>;
  readonly global_rate?: string;
}

/** Where the shipped snapshot lives, and its provenance record beside it. */
export interface DatasetMetadata {
  readonly file: string;
  /** Where this copy came from (a URL). */
  readonly source: string;
  /** YYYY-MM-DD: the dataset's own date, or the best stand-in (see `dateBasis`). */
  readonly date: string;
  readonly dateBasis: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly license: string;
}

/** What the dataset says about one instance type in one region. */
export interface SpotPoolData {
  readonly type: string;
  /** The dataset's bucket label exactly, e.g. `<5%`, `>20%`. */
  readonly interruption: string;
  /** Index of the bucket: 0 is the least interrupted. */
  readonly interruptionIndex: number;
  /** Savings of Spot over on-demand, in percent, as the dataset states it. */
  readonly savingsPercent: number;
}

/** An instance type's size from the dataset. */
export interface InstanceSpec {
  readonly vcpu: number;
  readonly memoryGiB: number;
}

/** The label of the most interrupted bucket the advice warns about. */
export const HIGHEST_INTERRUPTION_INDEX = 4;

export class SpotDataset {
  private readonly labels: Map<number, string>;

  constructor(
    private readonly data: SpotAdvisorData,
    readonly metadata: DatasetMetadata,
  ) {
    this.labels = new Map(data.ranges.map((range) => [range.index, range.label]));
  }

  /** Bucket labels from the least to the most interrupted. */
  get ranges(): readonly InterruptionRange[] {
    return [...this.data.ranges].sort((a, b) => a.index - b.index);
  }

  hasRegion(region: string): boolean {
    return this.data.spot_advisor[region]?.[DATASET_OS] !== undefined;
  }

  /** The region's Spot data for `type`, or undefined when the dataset does not know the type there. */
  pool(region: string, type: string): SpotPoolData | undefined {
    const entry = this.data.spot_advisor[region]?.[DATASET_OS]?.[type];
    if (entry === undefined) return undefined;
    return { type, interruption: this.label(entry.r), interruptionIndex: entry.r, savingsPercent: entry.s };
  }

  /** Every type the dataset knows in `region`. */
  regionTypes(region: string): string[] {
    return Object.keys(this.data.spot_advisor[region]?.[DATASET_OS] ?? {});
  }

  spec(type: string): InstanceSpec | undefined {
    const entry = this.data.instance_types[type];
    return entry === undefined ? undefined : { vcpu: entry.cores, memoryGiB: entry.ram_gb };
  }

  private label(index: number): string {
    const label = this.labels.get(index);
    if (label === undefined) throw new Error(`spot advisor data: interruption index ${index} has no entry in ranges`);
    return label;
  }
}

/**
 * Checks a downloaded or shipped file's structure and returns every problem found (at most a few
 * per kind), [] when it is usable. Run by the refresh script before anything is written and by the
 * tests against the shipped snapshot; synthesis trusts the committed file.
 */
export function validateSpotAdvisorData(raw: unknown): string[] {
  const problems: string[] = [];
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isRecord(raw)) return ["(root): must be a JSON object"];
  const ranges = raw.ranges;
  const indexes = new Set<number>();
  if (!Array.isArray(ranges) || ranges.length === 0) {
    problems.push("ranges: must be a non-empty array of { index, label, max }");
  } else {
    ranges.forEach((range, position) => {
      if (!isRecord(range) || !Number.isInteger(range.index) || typeof range.label !== "string" || typeof range.max !== "number") {
        problems.push(`ranges.${position}: must be { index: integer, label: string, max: number }`);
      } else {
        indexes.add(range.index as number);
      }
    });
    if (!ranges.some((range) => isRecord(range) && range.label === ">20%")) problems.push('ranges: has no ">20%" bucket');
  }
  const types = raw.instance_types;
  if (!isRecord(types) || Object.keys(types).length === 0) {
    problems.push("instance_types: must be a non-empty object");
  } else {
    const bad = Object.entries(types).filter(([, spec]) => !isRecord(spec) || typeof spec.cores !== "number" || typeof spec.ram_gb !== "number");
    for (const [type] of bad.slice(0, 5)) problems.push(`instance_types.${type}: must have numeric cores and ram_gb`);
  }
  const regions = raw.spot_advisor;
  if (!isRecord(regions) || Object.keys(regions).length === 0) {
    problems.push("spot_advisor: must be a non-empty object of regions");
  } else {
    let badEntries = 0;
    for (const [region, systems] of Object.entries(regions)) {
      const linux = isRecord(systems) ? systems[DATASET_OS] : undefined;
      if (!isRecord(linux)) {
        problems.push(`spot_advisor.${region}.${DATASET_OS}: missing`);
        continue;
      }
      for (const [type, entry] of Object.entries(linux)) {
        // Savings may be negative: the data has pools where Spot costs more than on-demand.
        const valid = isRecord(entry) && typeof entry.s === "number" && entry.s <= 100 && indexes.has(entry.r as number);
        if (!valid && badEntries++ < 5) {
          problems.push(`spot_advisor.${region}.${DATASET_OS}.${type}: must be { s: savings percent <= 100, r: an index listed in ranges }`);
        }
      }
    }
  }
  return problems;
}

/** The shipped snapshot's folder, `spot-advisor/data/`: found above this file in the sources and above the synth bundle in `.build/`. */
export function dataDirectory(): string {
  let dir = __dirname;
  for (;;) {
    for (const candidate of [path.join(dir, "data"), path.join(dir, "spot-advisor", "data")]) {
      if (fs.existsSync(path.join(candidate, "spot-advisor-data.meta.json"))) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`spot advisor data: no spot-advisor/data/spot-advisor-data.meta.json above ${__dirname}`);
    dir = parent;
  }
}

const loaded = new Map<string, SpotDataset>();

/** The snapshot in `directory` (default: the shipped one), parsed once per process. */
export function loadSpotDataset(directory: string = dataDirectory()): SpotDataset {
  const cached = loaded.get(directory);
  if (cached) return cached;
  const metadata = JSON.parse(fs.readFileSync(path.join(directory, "spot-advisor-data.meta.json"), "utf8")) as DatasetMetadata;
  const data = JSON.parse(fs.readFileSync(path.join(directory, metadata.file), "utf8")) as SpotAdvisorData;
  const dataset = new SpotDataset(data, metadata);
  loaded.set(directory, dataset);
  return dataset;
}

/**
 * The snapshot reduced to `region` (every instance type's size kept), for synthesis: the extract is
 * written to `.build/spot-advisor/<sha256>-<region>.json` on first use, so later runs parse ~70 KB
 * instead of ~900 KB. Same answers as the full dataset for that region.
 */
export function loadRegionDataset(region: string, directory: string = dataDirectory()): SpotDataset {
  const key = `${directory}#${region}`;
  const cached = loaded.get(key) ?? loaded.get(directory);
  if (cached) return cached;
  const metadata = JSON.parse(fs.readFileSync(path.join(directory, "spot-advisor-data.meta.json"), "utf8")) as DatasetMetadata;
  const cacheFile = path.join(directory, "..", "..", ".build", "spot-advisor", `${metadata.sha256.slice(0, 16)}-${region}.json`);
  let data: SpotAdvisorData;
  if (fs.existsSync(cacheFile)) {
    data = JSON.parse(fs.readFileSync(cacheFile, "utf8")) as SpotAdvisorData;
  } else {
    const full = JSON.parse(fs.readFileSync(path.join(directory, metadata.file), "utf8")) as SpotAdvisorData;
    const linux = full.spot_advisor[region]?.[DATASET_OS];
    data = { instance_types: full.instance_types, ranges: full.ranges, spot_advisor: linux ? { [region]: { [DATASET_OS]: linux } } : {} };
    writeQuietly(cacheFile, JSON.stringify(data));
  }
  const dataset = new SpotDataset(data, metadata);
  loaded.set(key, dataset);
  return dataset;
}

/** A cache write that fails (read-only checkout) only costs the next run a full parse; a rename keeps readers from half files. */
function writeQuietly(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
