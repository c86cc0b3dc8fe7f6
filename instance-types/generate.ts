/**
 * `npm run instance-types:update`: rewrites instance-types/instance-types.json, the compact table
 * config validation reads: every instance type the EC2 API knows (the AWS SDK's InstanceType enum),
 * with vCPU and memory from the Spot Instance Advisor snapshot in spot-advisor/data, or for a type
 * the snapshot lacks, those of the same family and size of an earlier generation (m8i.large as
 * m7i.large), marked as such. Run it after `npm run spot-data:update` or an SDK upgrade.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { _InstanceType } from "@aws-sdk/client-ec2";
import type { DatasetMetadata, SpotAdvisorData } from "../stacks/spot-advice/dataset";
import { architectureOfName, TABLE_FILE, type InstanceTypeRow, type InstanceTypeTable } from "./index";

const DATA_DIRECTORY = path.join(__dirname, "..", "spot-advisor", "data");

/** The table for the API's type names and a dataset: types sorted by name, memory in MiB. */
export function buildInstanceTypeTable(names: readonly string[], data: SpotAdvisorData, metadata: Pick<DatasetMetadata, "date" | "sha256">): InstanceTypeTable {
  const sized = data.instance_types;
  const row = (type: string): InstanceTypeRow => {
    const architecture = architectureOfName(type);
    if (Object.hasOwn(sized, type)) return [sized[type].cores, Math.round(sized[type].ram_gb * 1024), architecture];
    const like = earlierGeneration(type, (candidate) => Object.hasOwn(sized, candidate));
    return like === undefined ? [null, null, architecture] : [sized[like].cores, Math.round(sized[like].ram_gb * 1024), architecture, like];
  };
  const types = [...new Set([...names, ...Object.keys(sized)])].sort();
  return {
    source: `names: the EC2 API's InstanceType enum (@aws-sdk/client-ec2); vCPU and memory: spot-advisor/data/spot-advisor-data.json (${metadata.date}, sha256 ${metadata.sha256.slice(0, 12)}), or those of the type named 4th (an earlier generation of the family); architecture from the family name`,
    types: Object.fromEntries(types.map((type) => [type, row(type)])),
  };
}

/** The same family and size of the closest earlier generation that `known` has: m8i.large → m7i.large. */
function earlierGeneration(type: string, known: (type: string) => boolean): string | undefined {
  const match = /^([a-z]+)(\d+)([a-z-]*)\.(.+)$/.exec(type);
  if (!match) return undefined;
  const [, letters, generation, suffix, size] = match;
  for (let earlier = Number(generation) - 1; earlier >= 1; earlier--) {
    const candidate = `${letters}${earlier}${suffix}.${size}`;
    if (known(candidate)) return candidate;
  }
  return undefined;
}

/** The table's file text for the shipped snapshot. */
export function shippedTableText(): string {
  const data = JSON.parse(fs.readFileSync(path.join(DATA_DIRECTORY, "spot-advisor-data.json"), "utf8")) as SpotAdvisorData;
  const metadata = JSON.parse(fs.readFileSync(path.join(DATA_DIRECTORY, "spot-advisor-data.meta.json"), "utf8")) as DatasetMetadata;
  const table = buildInstanceTypeTable(Object.values(_InstanceType), data, metadata);
  // One type per line: reviewable diffs when the snapshot changes.
  const lines = Object.entries(table.types).map(([type, spec]) => `    ${JSON.stringify(type)}: ${JSON.stringify(spec)}`);
  return `{\n  "source": ${JSON.stringify(table.source)},\n  "types": {\n${lines.join(",\n")}\n  }\n}\n`;
}

if (require.main === module) {
  if (process.argv.length > 2) {
    process.stderr.write(process.argv.includes("--help") ? "usage: npm run instance-types:update\n" : `instance-types:update takes no arguments; see --help\n`);
    process.exitCode = process.argv.includes("--help") ? 0 : 2;
  } else {
    fs.writeFileSync(TABLE_FILE, shippedTableText());
    process.stderr.write(`wrote ${path.relative(process.cwd(), TABLE_FILE)}\n`);
  }
}
