/**
 * The configuration reference, generated from the schema itself: the JSON Schema editors use, and
 * `docs/configuration.md` rendered from that JSON Schema (every field with its type, default,
 * allowed values, constraints and description, grouped as the config is). Loads no cdktf.
 */
import { z } from "zod";
import { ENVIRONMENT_SCHEMA } from "../stacks/config";

/** A JSON Schema node, as zod writes it. */
export interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  deprecated?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

/** Where the generated files live, relative to the repository root. */
export const REFERENCE_FILES = { markdown: "docs/configuration.md", jsonSchema: "docs/environment.schema.json" } as const;

/** The environment schema as JSON Schema (draft 2020-12), as editors read it: what a file may contain. */
export function environmentJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(ENVIRONMENT_SCHEMA, { io: "input", unrepresentable: "any" }) as JsonSchema & Record<string, unknown>;
  return { ...schema, title: "Environment configuration (stacks/environments/<name>.ts)" } as JsonSchema;
}

/** Both files' contents, by path. */
export function renderReference(): Record<string, string> {
  const schema = environmentJsonSchema();
  return {
    [REFERENCE_FILES.jsonSchema]: `${JSON.stringify(schema, null, 2)}\n`,
    [REFERENCE_FILES.markdown]: renderMarkdown(schema),
  };
}

const code = (value: unknown): string => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The object variants a node stands for: itself, the variants of a union, or an array's items. */
function objectsOf(node: JsonSchema): JsonSchema[] {
  if (node.type === "object" && node.properties) return [node];
  if (node.type === "array" && node.items) return objectsOf(node.items);
  return (node.oneOf ?? node.anyOf ?? []).flatMap((variant) => objectsOf(variant));
}

function typeOf(node: JsonSchema): string {
  const variants = node.oneOf ?? node.anyOf;
  if (variants) {
    const current = variants.filter((variant) => !variant.deprecated);
    if (current.every((variant) => variant.type === "object")) return "object (one of the variants below)";
    return [...new Set(current.map(typeOf))].join(" or ");
  }
  if (node.const !== undefined) return code(node.const);
  if (node.type === "array") {
    if (node.prefixItems) return `[${node.prefixItems.map(typeOf).join(", ")}]`;
    return node.items ? `list of ${typeOf(node.items)}` : "list";
  }
  if (node.type === "object" && !node.properties) {
    const value = typeof node.additionalProperties === "object" ? typeOf(node.additionalProperties) : "value";
    return `map of name → ${value}`;
  }
  if (node.enum) return node.type ?? "enum";
  return node.type ?? "any";
}

function allowedValues(node: JsonSchema): string[] {
  const variants = node.oneOf ?? node.anyOf;
  if (variants && !variants.every((variant) => variant.type === "object")) {
    const current = variants.filter((variant) => !variant.deprecated).flatMap(allowedValues);
    const old = variants.filter((variant) => variant.deprecated).flatMap((variant) => (variant.enum ?? []).map(code));
    return old.length > 0 ? [...current, `deprecated spellings, still accepted with a warning: ${old.join(", ")}`] : current;
  }
  if (node.type === "array" && node.items) return allowedValues(node.items).map((text) => `each: ${text}`);
  if (node.type === "object" && !node.properties && typeof node.additionalProperties === "object") {
    const names = node.propertyNames ? constraints(node.propertyNames).map((text) => `name: ${text}`) : [];
    return [...names, ...constraints(node.additionalProperties).map((text) => `value: ${text}`)];
  }
  return constraints(node);
}

function constraints(node: JsonSchema): string[] {
  const found: string[] = [];
  if (node.enum) found.push(`one of ${node.enum.map(code).join(", ")}`);
  if (node.minimum !== undefined && node.maximum !== undefined) found.push(`${node.minimum} to ${node.maximum}`);
  else if (node.minimum !== undefined) found.push(`≥ ${node.minimum}`);
  else if (node.maximum !== undefined) found.push(`≤ ${node.maximum}`);
  if (node.exclusiveMinimum !== undefined) found.push(`> ${node.exclusiveMinimum}`);
  if (node.minLength !== undefined) found.push(`at least ${node.minLength} characters`);
  if (node.maxLength !== undefined) found.push(`at most ${node.maxLength} characters`);
  if (node.minItems !== undefined && node.minItems === node.maxItems) found.push(`exactly ${node.minItems} items`);
  else {
    if (node.minItems !== undefined) found.push(`at least ${node.minItems} items`);
    if (node.maxItems !== undefined) found.push(`at most ${node.maxItems} items`);
  }
  if (node.format) found.push(`format ${node.format}`);
  else if (node.pattern) found.push(`matches ${code(node.pattern)}`);
  return found;
}

function defaultOf(node: JsonSchema, required: boolean): string {
  if (node.default === undefined) return required ? "**required**" : "—";
  if (typeof node.default === "object" && node.default !== null && Object.keys(node.default).length === 0 && !Array.isArray(node.default)) {
    return "the defaults below";
  }
  return code(node.default);
}

interface Section {
  readonly path: string;
  readonly node: JsonSchema;
  readonly depth: number;
  readonly title?: string;
}

function renderSection(section: Section, out: string[]): void {
  const { node, path, depth } = section;
  const heading = "#".repeat(Math.min(depth + 2, 6));
  out.push(`${heading} ${section.title ?? (path === "" ? "Top level" : code(path))}`, "");
  if (node.description && path !== "") out.push(node.description, "");
  const properties = Object.entries(node.properties ?? {});
  out.push("| field | type | default | allowed values and constraints | meaning |", "| --- | --- | --- | --- | --- |");
  for (const [name, property] of properties) {
    const required = node.required?.includes(name) ?? false;
    const row = [code(name), typeOf(property), defaultOf(property, required), allowedValues(property).join("; ") || "—", property.description ?? ""];
    out.push(`| ${row.map(cell).join(" | ")} |`);
  }
  out.push("");
  for (const [name, property] of properties) {
    const childPath = `${path === "" ? "" : `${path}.`}${name}${property.type === "array" ? "[]" : ""}`;
    const variants = objectsOf(property);
    const union = (property.oneOf ?? property.anyOf ?? (property.type === "array" && property.items ? (property.items.oneOf ?? property.items.anyOf) : undefined)) !== undefined;
    if (union && variants.length > 1) {
      const heading = "#".repeat(Math.min(depth + 3, 6));
      out.push(`${heading} ${code(childPath)}`, "");
      if (property.description) out.push(property.description, "");
      for (const variant of variants) {
        const [tag, value] = Object.entries(variant.properties ?? {}).find(([, field]) => field.const !== undefined) ?? [];
        const title = tag === undefined ? code(childPath) : `${code(childPath)} with ${code(`${tag}: ${JSON.stringify(value?.const)}`)}`;
        renderSection({ path: childPath, node: variant, depth: depth + 2, title }, out);
      }
    } else if (variants.length === 1) {
      renderSection({ path: childPath, node: { ...variants[0], description: property.description ?? variants[0].description }, depth: depth + 1 }, out);
    }
  }
}

/** `docs/configuration.md`: every field, grouped as the config is. */
export function renderMarkdown(schema: JsonSchema): string {
  const out = [
    "# Environment configuration reference",
    "",
    "<!-- Generated from the schema in stacks/config/ by `npm run docs`. Do not edit: change the schema's descriptions and regenerate. -->",
    "",
    "Each environment is one file, `stacks/environments/<name>.ts`, exporting an object typed `EnvironmentInput` and listed in",
    "`stacks/environments/index.ts` (`npm run new-env -- <name> --from <existing>` does both). Everything below that has a",
    "default may be left out. Validation runs before anything is synthesized and reports every problem at once, each with",
    "its path (list items by their `name`, e.g. `services[api].memory`) and the offending value. **Unknown fields are",
    "errors** that name the closest known field, so a typo never falls back to a default silently. Times are UTC.",
    "",
    "Editors: [`environment.schema.json`](environment.schema.json) is the same schema as JSON Schema (draft 2020-12).",
    "",
  ];
  renderSection({ path: "", node: schema, depth: 0 }, out);
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

/** Every field without a description, as `path` (discriminator literals are described by their variant). */
export function undescribedFields(schema: JsonSchema): string[] {
  const missing: string[] = [];
  const visit = (node: JsonSchema, path: string): void => {
    for (const [name, property] of Object.entries(node.properties ?? {})) {
      const childPath = path === "" ? name : `${path}.${name}`;
      if (!property.description && property.const === undefined) missing.push(childPath);
      for (const variant of objectsOf(property)) visit(variant, childPath);
    }
  };
  visit(schema, "");
  return missing;
}
