/** The parts of a synthesized `cdk.tf.json` that change review reads. Loads without cdktf. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, ResourceJson>>;
  readonly data?: Record<string, Record<string, ResourceJson>>;
  readonly moved?: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  readonly output?: Record<string, unknown>;
  readonly terraform?: Record<string, unknown>;
}

/** One resource's synthesized arguments; `//` holds cdktf's metadata (the construct path). */
export type ResourceJson = Record<string, unknown> & { readonly "//"?: { readonly metadata?: { readonly path?: string } } };

/** One resource of a stack: its Terraform address and the construct path it comes from. */
export interface StackResource {
  /** `<type>.<logical id>`, e.g. `aws_s3_bucket.access-logs_bucket_7E528747`. */
  readonly address: string;
  readonly type: string;
  /** The construct path, e.g. `production/access-logs/bucket`. */
  readonly path: string;
  /** The synthesized arguments without cdktf's metadata. */
  readonly args: Record<string, unknown>;
}

/** Every resource of a stack (or, with `"data"`, every data source as `data.<type>.<name>`), sorted by address. */
export function stackResources(stack: StackJson, kind: "resource" | "data" = "resource"): StackResource[] {
  const resources: StackResource[] = [];
  for (const [type, byName] of Object.entries(stack[kind] ?? {})) {
    for (const [name, resource] of Object.entries(byName)) {
      const { "//": metadata, ...args } = resource;
      resources.push({ address: `${kind === "data" ? "data." : ""}${type}.${name}`, type, path: metadata?.metadata?.path ?? "?", args });
    }
  }
  return resources.sort((a, b) => compare(a.address, b.address));
}

/** The stack's `moved` blocks as from → to. */
export function movedAddresses(stack: StackJson): Map<string, string> {
  return new Map((stack.moved ?? []).map((block) => [block.from, block.to]));
}

/** Code-point order: the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
