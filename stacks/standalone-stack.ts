import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Token, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * A stack that references no other stack (one state per environment), synthesized with less of
 * cdktf's work. Two passes of `TerraformStack` exist for cross-stack references and for nothing else
 * here, and each resolves every value of the stack once more:
 * - preparation resolves every element only to find references to other stacks (which it wires
 *   through outputs and remote state): of it only the backend is kept, a third of the synth time;
 * - `toTerraform` resolves each element, merges the fragments and the stack overrides, then resolves the
 *   whole merged document again, though by then only what the overrides brought can hold a token: 22 % of
 *   a 12,000-resource synth. Here only the top-level sections the overrides touch are resolved again.
 * Each element's own resolve goes to cdktf only for the parts that hold a token (`resolved`).
 * The output is byte for byte cdktf's (a test synthesizes every environment both ways). A stack built
 * to consume another stack's values must not be a StandaloneStack.
 */
export abstract class StandaloneStack extends TerraformStack {
  /** What `addOverride` was given, as cdktf records it (its own record is private). */
  private readonly stackOverrides: Record<string, unknown> = {};

  public override prepareStack(): void {
    this.ensureBackendExists();
  }

  public override addOverride(path: string, value: unknown): void {
    super.addOverride(path, value);
    const parts = path.split(".");
    let current: Record<string, unknown> = this.stackOverrides;
    for (const key of parts.slice(0, -1)) {
      const next = current[key];
      if (next === null || typeof next !== "object" || Array.isArray(next)) current[key] = {};
      current = current[key] as Record<string, unknown>;
    }
    current[parts[parts.length - 1]] = value;
  }

  public override toTerraform(): Record<string, unknown> {
    const elements = terraformElements(this);
    const metadata: Record<string, unknown> = {
      version: this.node.tryGetContext("cdktfVersion"),
      stackName: this.node.id,
      backend: "local",
      cloud: undefined,
      ...(Object.keys(this.stackOverrides).length > 0 ? { overrides: { stack: Object.keys(this.stackOverrides) } } : {}),
    };
    for (const element of elements) deepMerge(metadata, this.resolved(element.toMetadata()));
    const outputs: Record<string, unknown> = {};
    for (const element of elements) {
      if (!TerraformOutput.isTerraformOutput(element)) continue;
      const nested = element.node.path.split("/").reduceRight<Record<string, unknown>>(
        (inner, part) => ({ [part]: Object.keys(inner).length === 0 ? element.friendlyUniqueId : inner }),
        {},
      );
      deepMerge(outputs, nested);
    }
    const document: Record<string, unknown> = { "//": { metadata, outputs } };
    for (const element of elements) deepMerge(document, this.resolved(element.toTerraform()));
    // Merged as given (an undefined override deletes, a token replaces what it overrides), as cdktf does. cdktf
    // then resolves the whole document once more; of it only the sections the overrides touched can hold a token.
    deepMerge(document, this.stackOverrides);
    for (const section of Object.keys(this.stackOverrides)) {
      if (section in document) document[section] = this.resolved(document[section]);
    }
    return document;
  }

  /**
   * What `Tokenization.resolve` gives, with cdktf's resolver doing only the parts that hold a token. cdktf's
   * resolve makes a context of closures for every value it visits, though most values of a stack are plain
   * (names, numbers, flags): 40 % of a 12,000-resource synth. Here a plain value is copied as resolve copies it
   * (undefined dropped from objects and arrays) and anything that may hold a token (a string with a token
   * marker or an encoded number, a number in the token range, a resolvable, an array holding either, a key
   * holding a marker) goes to cdktf's resolve whole. Whatever cdktf's resolve refuses (a function, a construct,
   * a tree deeper than its limit, an error in a part) makes cdktf resolve the whole value, so the error is the
   * one cdktf reports, with its path; the parts resolved before then are resolved again by it.
   */
  private resolved(value: unknown): unknown {
    const resolve = (part: unknown) => Tokenization.resolve(part, { scope: this, preparing: false, resolver: TOKEN_RESOLVER });
    try {
      return resolvePlain(value, resolve, 0);
    } catch (error) {
      if (error === REFUSED) return resolve(value);
      throw error;
    }
  }
}

/** The resolver cdktf synthesizes with. */
const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Thrown by resolvePlain for a value that cdktf's resolve refuses with an error of its own. */
const REFUSED = Symbol("refused by cdktf's resolve");

/** cdktf's resolve gives up at this depth (a cycle). */
const MAX_DEPTH = 200;

/** cdktf's test for a number token encoded in a string (NUMBER_TOKEN_REGEX), as a plain test. */
const ENCODED_NUMBER = /[-|\d.+]e[-|\d.eE+]/;

/** Strings cdktf's resolve refuses in a scalar context (Token.STRING_MAP_TOKEN_VALUE, ANY_MAP_TOKEN_VALUE). */
const MAP_TOKEN_VALUES: ReadonlySet<string> = new Set(["String Map Token Value", "Any Map Token Value"]);

/** True for a string resolve returns as it is: no token marker (of a string, list or map), no encoded number. */
function isPlainString(value: string): boolean {
  return !value.includes("TfToken[") && !ENCODED_NUMBER.test(value) && !MAP_TOKEN_VALUES.has(value);
}

/** True for a number resolve returns as it is: token numbers have a tag in their top bits (magnitude above 1e288). */
function isPlainNumber(value: number): boolean {
  return Math.abs(value) < 1e288 && value !== Token.NUMBER_MAP_TOKEN_VALUE;
}

/** `value` resolved: plain parts copied here, the parts that may hold a token by `resolve` (cdktf's); throws REFUSED. */
function resolvePlain(value: unknown, resolve: (part: unknown) => unknown, depth: number): unknown {
  // cdktf's resolve refuses any value deeper than its limit, counted from the element.
  if (depth > MAX_DEPTH) throw REFUSED;
  switch (typeof value) {
    case "string":
      return isPlainString(value) ? value : resolvedPart(value, resolve, depth);
    case "number":
      return isPlainNumber(value) ? value : resolvedPart(value, resolve, depth);
    case "function":
      throw REFUSED;
    case "object":
      break;
    default:
      return value; // undefined, booleans, and the rest of the primitives
  }
  if (value === null || value instanceof Date) return value;
  if (Array.isArray(value)) {
    // An array with a token element is cdktf's: it may be a list token (the whole array is the token).
    if (value.some((element) => (typeof element === "string" && !isPlainString(element)) || (typeof element === "number" && !isPlainNumber(element)))) {
      return resolvedPart(value, resolve, depth);
    }
    const copy: unknown[] = [];
    for (const element of value) {
      const resolved = resolvePlain(element, resolve, depth + 1);
      if (resolved !== undefined) copy.push(resolved);
    }
    return copy;
  }
  if (Tokenization.isResolvable(value)) return resolvedPart(value, resolve, depth);
  if (isConstruct(value)) throw REFUSED;
  const keys = Object.keys(value);
  if (!keys.every(isPlainString)) return resolvedPart(value, resolve, depth);
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const resolved = resolvePlain((value as Record<string, unknown>)[key], resolve, depth + 1);
    if (resolved !== undefined) copy[key] = resolved;
  }
  return copy;
}

/**
 * A part at `depth` resolved by cdktf. Its errors, and a result that reaches below cdktf's depth limit counted
 * from the element, are REFUSED: cdktf resolving from the part alone would name a path relative to the part and
 * count its limit from there.
 */
function resolvedPart(part: unknown, resolve: (part: unknown) => unknown, depth: number): unknown {
  let resolved: unknown;
  try {
    resolved = resolve(part);
  } catch {
    throw REFUSED;
  }
  if (depth > 0 && typeof resolved === "object" && resolved !== null && depth + depthOf(resolved) > MAX_DEPTH) throw REFUSED;
  return resolved;
}

/** How many levels of arrays and objects a resolved value has below it. */
function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

/** cdktf's guard against resolving a construct (its tree would be walked). */
function isConstruct(value: object): boolean {
  const candidate = value as { _children?: unknown; _metadata?: unknown };
  return candidate._children !== undefined && candidate._metadata !== undefined;
}
/** The elements of `node`'s tree, depth first, not descending into nested stacks (as cdktf collects them). */
function terraformElements(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) terraformElements(child, into);
  return into;
}

/** cdktf's merge of synthesized fragments: objects merge key by key, arrays concatenate, undefined deletes. */
function deepMerge(target: Record<string, unknown>, source: unknown): void {
  if (typeof source !== "object" || source === null) throw new Error(`cannot merge ${JSON.stringify(source)} into a stack document`);
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      if (Tokenization.isResolvable(value)) {
        target[key] = value;
        continue;
      }
      if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
      deepMerge(target[key] as Record<string, unknown>, value);
    } else if (Array.isArray(value)) {
      const existing = target[key];
      target[key] = Array.isArray(existing) ? [...existing, ...value] : value;
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}
