/**
 * `npm run set-arguments:update -- <schema> [outdir]`: rewrites change-safety/set-arguments.json, the set-typed
 * arguments and blocks of every resource and data source type in the synthesized stacks below `outdir`
 * (default cdktf.out: run `npm run synth` first). `<schema>` is `terraform providers schema -json` of a directory
 * initialized with the stacks' provider (hashicorp/aws 6.25.0), gzipped or not; the compact schema of the
 * offline validator (tfvalidate's aws-provider.schema.json.gz) is read as well.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import type { SetArgumentTable } from "./set-arguments";
import { compare, type StackJson } from "./stack-json";

/** A Terraform type in JSON: `"string"`, `["set", T]`, `["list", T]`, `["map", T]`, `["object", { name: T }]`. */
type TypeJson = string | readonly [string, unknown];

/** A block of either schema format, read as attributes (name → type) and nested blocks (name → nesting, block). */
interface Block {
  readonly attributes: ReadonlyArray<[string, TypeJson]>;
  readonly blocks: ReadonlyArray<[string, { readonly nesting: string; readonly block: Block }]>;
}

/** `terraform providers schema -json`: a block's attributes and nested block types. */
interface OfficialBlock {
  readonly attributes?: Record<string, { readonly type?: TypeJson }>;
  readonly block_types?: Record<string, { readonly nesting_mode: string; readonly block: OfficialBlock }>;
}
type OfficialTypes = Record<string, { readonly block: OfficialBlock }>;

/** The offline validator's compact schema: `a` attributes as [flags, type], `b` blocks with their nesting `n`. */
interface CompactBlock {
  readonly a?: Record<string, readonly [string, TypeJson]>;
  readonly b?: Record<string, CompactBlock & { readonly n: string }>;
}
type CompactTypes = Record<string, CompactBlock>;

/** Each type's block, from `terraform providers schema -json` or the validator's compact schema. */
export function readSchema(document: unknown): { resource: Map<string, Block>; data: Map<string, Block> } {
  const root = (typeof document === "object" && document !== null ? document : {}) as {
    provider_schemas?: Record<string, { resource_schemas?: OfficialTypes; data_source_schemas?: OfficialTypes }>;
    format?: unknown;
    resource?: CompactTypes;
    data?: CompactTypes;
  };
  if (root.provider_schemas) {
    const provider = Object.entries(root.provider_schemas).find(([source]) => source.endsWith("/hashicorp/aws"))?.[1];
    if (!provider) throw new Error("the schema has no hashicorp/aws provider");
    const block = (raw: OfficialBlock): Block => ({
      attributes: Object.entries(raw.attributes ?? {}).map(([name, attribute]) => [name, attribute.type ?? "string"]),
      blocks: Object.entries(raw.block_types ?? {}).map(([name, nested]) => [name, { nesting: nested.nesting_mode, block: block(nested.block) }]),
    });
    const types = (schemas: OfficialTypes = {}) => new Map(Object.entries(schemas).map(([type, schema]) => [type, block(schema.block)]));
    return { resource: types(provider.resource_schemas), data: types(provider.data_source_schemas) };
  }
  if (typeof root.format === "string" && root.format.startsWith("tfvalidate-schema/")) {
    const block = (raw: CompactBlock): Block => ({
      attributes: Object.entries(raw.a ?? {}).map(([name, attribute]) => [name, attribute[1]]),
      blocks: Object.entries(raw.b ?? {}).map(([name, nested]) => [name, { nesting: nested.n, block: block(nested) }]),
    });
    const types = (schemas: CompactTypes = {}) => new Map(Object.entries(schemas).map(([type, schema]) => [type, block(schema)]));
    return { resource: types(root.resource), data: types(root.data) };
  }
  throw new Error("not a provider schema: expected the output of `terraform providers schema -json` (provider_schemas)");
}

/** The set-typed paths of a block: set attributes (also inside lists, maps and objects) and set-nested blocks. */
export function setPaths(block: Block, prefix = ""): string[] {
  const join = (name: string) => (prefix === "" ? name : `${prefix}.${name}`);
  const ofType = (type: TypeJson, at: string): string[] => {
    if (!Array.isArray(type)) return [];
    const [kind, inner] = type;
    if (kind === "object") return Object.entries(inner as Record<string, TypeJson>).flatMap(([name, member]) => ofType(member, `${at}.${name}`));
    return [...(kind === "set" ? [at] : []), ...ofType(inner as TypeJson, at)];
  };
  return [
    ...block.attributes.flatMap(([name, type]) => ofType(type, join(name))),
    ...block.blocks.flatMap(([name, nested]) => [...(nested.nesting === "set" ? [join(name)] : []), ...setPaths(nested.block, join(name))]),
  ].sort(compare);
}

/** The table for the types the stacks use; a type the schema lacks is an error (the stacks use another provider). */
export function buildSetArgumentTable(schema: ReturnType<typeof readSchema>, stacks: readonly StackJson[], source: string): SetArgumentTable {
  const entries = (kind: "resource" | "data") => {
    const types = [...new Set(stacks.flatMap((stack) => Object.keys(stack[kind] ?? {})))].sort(compare);
    return Object.fromEntries(
      types.map((type) => {
        const block = schema[kind].get(type);
        if (!block) throw new Error(`${kind} type ${type} is not in the schema: is it hashicorp/aws 6.25.0?`);
        return [type, setPaths(block)];
      }),
    );
  };
  return { source, resource: entries("resource"), data: entries("data") };
}

if (require.main === module) {
  const [schemaFile, outdir = "cdktf.out"] = process.argv.slice(2);
  if (!schemaFile || schemaFile === "--help") {
    process.stderr.write("Usage: npm run set-arguments:update -- <schema.json[.gz]> [cdktf.out]\n");
    process.exit(schemaFile ? 0 : 2);
  }
  try {
    const raw = fs.readFileSync(schemaFile);
    const schema = readSchema(JSON.parse((schemaFile.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8")));
    const stacksDir = path.join(outdir, "stacks");
    const stacks = fs.readdirSync(stacksDir).map((name) => JSON.parse(fs.readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8")) as StackJson);
    const version = (JSON.parse(JSON.stringify(stacks[0]?.terraform ?? {})) as { required_providers?: { aws?: { version?: string } } }).required_providers?.aws?.version;
    const table = buildSetArgumentTable(schema, stacks, `hashicorp/aws ${version ?? "?"} schema (${path.basename(schemaFile)}), for the types of ${stacks.length} synthesized stacks`);
    const target = path.join(__dirname, "set-arguments.json");
    fs.writeFileSync(target, `${JSON.stringify(table, null, 1)}\n`);
    process.stderr.write(`${target}: ${Object.keys(table.resource).length} resource and ${Object.keys(table.data).length} data source types\n`);
  } catch (error) {
    process.stderr.write(`set-arguments:update: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
