/**
 * EC2 instance types: vCPU, memory and architecture, from the bundled table (instance-types.json,
 * generated from the Spot Instance Advisor snapshot by `npm run instance-types:update`). Loaded on
 * first use and kept, so a config without instance types never reads it. Free of cdktf.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { closest } from "fastest-levenshtein";

export type Architecture = "x86_64" | "arm64";

/**
 * One type's row: vCPUs, memory in MiB (null: unknown), architecture, and the type whose sizes were
 * taken when the Spot Advisor snapshot lacks this one.
 */
export type InstanceTypeRow = readonly [vcpu: number | null, memoryMiB: number | null, architecture: Architecture, sizedLike?: string];

export interface InstanceTypeTable {
  /** Where the rows come from. */
  readonly source: string;
  readonly types: Readonly<Record<string, InstanceTypeRow>>;
}

/** An instance type as placement sees it. */
export interface InstanceTypeSpec {
  readonly type: string;
  readonly architecture: Architecture;
  /** vCPU and memory, when the table knows them. */
  readonly size?: { readonly vcpu: number; readonly memoryMiB: number; readonly sizedLike?: string };
}

const TABLE_NAME = "instance-types.json";
export const TABLE_FILE = path.join(__dirname, TABLE_NAME);

/** The table beside this file, or (in the synth bundle under .build/) in instance-types/ above it. */
function tableFile(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, TABLE_NAME), path.join(dir, "instance-types", TABLE_NAME)]) if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`instance types: no instance-types/${TABLE_NAME} above ${__dirname}`);
  }
}

let table: InstanceTypeTable | undefined;
function loaded(): InstanceTypeTable {
  table ??= JSON.parse(fs.readFileSync(tableFile(), "utf8")) as InstanceTypeTable;
  return table;
}

/** The type's vCPU, memory and architecture, or undefined for a type the table does not know. */
export function instanceTypeSpec(type: string): InstanceTypeSpec | undefined {
  const row = Object.hasOwn(loaded().types, type) ? loaded().types[type] : undefined;
  if (row === undefined) return undefined;
  const [vcpu, memoryMiB, architecture, sizedLike] = row;
  return { type, architecture, ...(vcpu !== null && memoryMiB !== null && { size: { vcpu, memoryMiB, ...(sizedLike !== undefined && { sizedLike }) } }) };
}

/** Up to three known types spelled most like `type` (c7gx.large → c7g.large, c7gn.large, ...). */
export function similarlySpelledTypes(type: string): string[] {
  const known = Object.keys(loaded().types);
  const found: string[] = [];
  let candidates = known;
  for (let index = 0; index < 3 && candidates.length > 0; index++) {
    const next = closest(type, candidates);
    found.push(next);
    candidates = candidates.filter((candidate) => candidate !== next);
  }
  return found;
}

/**
 * Graviton families carry a `g` after the generation digit (m7g, c6gn, t4g, is4gen, g5g); a1 is the
 * first. Used to generate the table; everything else reads the table.
 */
export function architectureOfName(type: string): Architecture {
  const family = type.split(".")[0];
  const match = /^([a-z]+)(\d+)([a-z-]*)$/.exec(family);
  if (family === "a1" || (match && match[3].includes("g"))) return "arm64";
  return "x86_64";
}
