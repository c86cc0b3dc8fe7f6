import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Tokenization } from "cdktf";
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

  private resolved(value: unknown): unknown {
    return Tokenization.resolve(value, { scope: this, preparing: false, resolver: TOKEN_RESOLVER });
  }
}

/** The resolver cdktf synthesizes with. */
const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());

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
