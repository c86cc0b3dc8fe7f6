import { applyRefusals, applyRisks, IN_USE_HOLDERS, preventsDestroy, providerRefusals } from "./plan-refusals";
import { propagateThroughReferences, type PlannedAction, type ReferenceChange } from "./reference-propagation";
import { KEPT_WHEN_UNSET, replacingChanges } from "./replacing-attributes";
import { setArguments, type SetPaths } from "./set-arguments";
import { resourceClass, type ResourceClass } from "../modules/platform/resource-types";
import { compare, movedAddresses, stackResources, type StackJson, type StackResource } from "./stack-json";

/** One changed argument, with display-ready values or a summary where the values must not or cannot be shown. */
export interface AttributeChange {
  /** e.g. `name`, `health_check[0].path`, `container_definitions (json) [0].image`. */
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
  /** Instead of before/after: secrets, user data, long documents, values known only after apply. */
  readonly summary?: string;
  /** The argument is in the resource's `lifecycle.ignore_changes`: Terraform will not apply it. */
  readonly ignored?: true;
}

/** A resource by address and construct path, with what its type's destruction costs (`RESOURCE_TYPES`). */
export interface ResourceRef {
  readonly address: string;
  readonly path: string;
  readonly class: ResourceClass;
}

/** A resource in both stacks (possibly moved) whose arguments differ, directly or through references. */
export interface ResourceChange extends ResourceRef {
  /** `replace` when a replace-forcing argument changes: Terraform destroys and recreates it. */
  readonly action: "update" | "replace";
  /** The replace-forcing arguments that change (directly or through references). */
  readonly replacedBy: readonly string[];
  /** The replaced or changed resources whose new values force this one's replacement, when that is how it is replaced. */
  readonly replacedThrough?: readonly string[];
  readonly changes: readonly AttributeChange[];
  /** What the replacement does, in words (`RESOURCE_TYPES`), when there is more to it than a recreation. */
  readonly consequence?: string;
  /** Set when a moved block carries the resource from this address. */
  readonly movedFrom?: string;
}

/** A stateful or disruptive resource that would be destroyed or replaced: what a reviewer must look at first. */
export interface Loss extends ResourceRef {
  readonly class: "stateful" | "disruptive";
  readonly action: "destroy" | "replace";
  /** Why Terraform does it: gone from the stack, or the arguments that cannot change in place. */
  readonly reason: string;
  /** What it costs, in words. */
  readonly consequence: string;
}

/**
 * A change that cannot go through as it is: Terraform (or the provider) refuses the plan, or the plan
 * passes and AWS refuses the apply, leaving it half done. Either way the change must be reworked.
 */
export interface PlanRefusal {
  readonly address: string;
  readonly path: string;
  /** `plan`: `terraform plan` fails, nothing is applied; `apply`: the plan passes and `terraform apply` FAILS partway. */
  readonly stage: "plan" | "apply";
  /** `prevent_destroy`, or the provider rule's source. */
  readonly rule: string;
  readonly message: string;
}

/** A change that plans, but that AWS can refuse while Terraform applies it. */
export interface ApplyRisk {
  readonly address: string;
  readonly path: string;
  readonly message: string;
}

/**
 * `safe`: nothing stateful or disruptive is destroyed or replaced; `costly`: something is (see
 * `losses`); `refused`: `terraform plan` fails, or the plan passes and `terraform apply` fails partway (see `refusals`, by `stage`).
 */
export type Verdict = "safe" | "costly" | "refused";

/** What `terraform plan` would do to one environment when its stack goes from `base` to `head`, and what it would refuse. */
export interface PredictedPlan {
  readonly environment: string;
  readonly verdict: Verdict;
  readonly refusals: readonly PlanRefusal[];
  readonly losses: readonly Loss[];
  /** Changes that plan but can fail while applied (the verdict does not count them). */
  readonly applyRisks: readonly ApplyRisk[];
  readonly added: readonly ResourceRef[];
  readonly removed: readonly ResourceRef[];
  readonly moved: ReadonlyArray<{ readonly from: string; readonly to: string; readonly path: string }>;
  readonly changed: readonly ResourceChange[];
  /** Data sources added, removed or changed: reads, never destroys, but policies documents live here. */
  readonly dataSources: ReadonlyArray<{ readonly address: string; readonly path: string; readonly change: "added" | "removed" | "changed"; readonly changes: readonly AttributeChange[] }>;
  /** Changed stack outputs (what deploy tools read from state), by output name. */
  readonly outputs: readonly AttributeChange[];
  /** Changes to the `terraform` block (backend, required providers); a local backend's path is machine-specific and ignored. */
  readonly settings: readonly AttributeChange[];
}

/**
 * Predicts the plan of one environment from its synthesized stacks (either side may be missing: a
 * new or deleted environment): additions, removals, moves, in-place updates and replacements,
 * replacement carried through references, the losses of stateful and disruptive resources, and
 * the refusals (`prevent_destroy` on a replaced resource, the provider's plan-time rules).
 */
export function predictPlan(environment: string, base: StackJson | undefined, head: StackJson | undefined): PredictedPlan {
  const before = new Map(stackResources(base ?? {}).map((resource) => [resource.address, resource]));
  const after = new Map(stackResources(head ?? {}).map((resource) => [resource.address, resource]));
  const moves = movedAddresses(head ?? {});
  const ref = (resource: StackResource): ResourceRef => ({ address: resource.address, path: resource.path, class: resourceClass(resource.type).class });

  const removed: ResourceRef[] = [];
  const moved: Array<{ from: string; to: string; path: string }> = [];
  const direct = new Map<string, { old: StackResource; current: StackResource; changes: AttributeChange[]; replacedBy: string[]; movedFrom?: string }>();
  const movedTargets = new Set<string>();
  for (const [address, old] of before) {
    let current = after.get(address);
    let movedFrom: string | undefined;
    if (current === undefined) {
      const to = moves.get(address);
      current = to === undefined ? undefined : after.get(to);
      if (current === undefined) {
        removed.push(ref(old));
        continue;
      }
      movedFrom = address;
      movedTargets.add(current.address);
      moved.push({ from: address, to: current.address, path: current.path });
    }
    const ignored = ignoredArguments(current.args);
    const kept = KEPT_WHEN_UNSET[current.type] ?? [];
    const changes = diffValues(old.args, current.args, "", setArguments("resource", current.type))
      .filter((change) => !PLAN_FREE_ARGUMENTS.has(topArgument(change.path)))
      .filter((change) => !(kept.includes(topArgument(change.path)) && current.args[topArgument(change.path)] === undefined))
      .map((change) => (ignored.has(topArgument(change.path)) ? { ...change, ignored: true as const } : change));
    const replacedBy = replacingChanges(current.type, changes.filter((change) => !change.ignored).map((change) => change.path));
    direct.set(current.address, { old, current, changes, replacedBy, ...(movedFrom && { movedFrom }) });
  }
  const addedResources = [...after.values()].filter((resource) => !before.has(resource.address) && !movedTargets.has(resource.address));

  // Replacement and changed values travel through references, data sources included.
  const sources = new Map(stackResources(head ?? {}, "data").map((source) => [source.address, source]));
  const planned = new Map<string, PlannedAction>(addedResources.map((resource) => [resource.address, "create"]));
  const changedArguments = new Map<string, Set<string>>();
  for (const [address, entry] of direct) {
    const applied = entry.changes.filter((change) => !change.ignored);
    if (applied.length === 0) continue;
    planned.set(address, entry.replacedBy.length > 0 ? "replace" : "update");
    changedArguments.set(address, new Set(applied.map((change) => topArgument(change.path))));
  }
  const baseSources = new Map(stackResources(base ?? {}, "data").map((source) => [source.address, source]));
  for (const [address, source] of sources) {
    const old = baseSources.get(address);
    if (old === undefined) planned.set(address, "create");
    else if (diffValues(old.args, source.args, "", setArguments("data", source.type)).length > 0) planned.set(address, "update");
  }
  const propagated = propagateThroughReferences(new Map([...after, ...sources]), planned, changedArguments, (resource) => ignoredArguments(resource.args));

  const changed: ResourceChange[] = [];
  for (const [address, entry] of direct) {
    const through = propagated.changes.get(address) ?? [];
    const directPaths = new Set(entry.changes.map((change) => change.path));
    const changes = [...entry.changes, ...through.filter((change) => !directPaths.has(change.path)).map(referenceChange)];
    if (changes.length === 0) continue;
    const throughForcing = propagated.replacedBy.get(address) ?? [];
    const replacedBy = [...new Set([...entry.replacedBy, ...throughForcing])];
    const replacedThrough =
      entry.replacedBy.length === 0 && throughForcing.length > 0
        ? [...new Set(through.filter((change) => replacingChanges(entry.current.type, [change.path]).length > 0).map((change) => change.reference.split(".").slice(0, 2).join(".")))]
        : undefined;
    const action = replacedBy.length > 0 ? "replace" : "update";
    const consequence = action === "replace" ? resourceClass(entry.current.type).consequence : undefined;
    changed.push({
      ...ref(entry.current),
      action,
      replacedBy,
      ...(replacedThrough && { replacedThrough }),
      changes,
      ...(consequence && { consequence }),
      ...(entry.movedFrom && { movedFrom: entry.movedFrom }),
    });
  }

  const losses: Loss[] = [
    ...removed.flatMap((resource) => lossOf(resource, "destroy", "no longer in the stack and no moved block carries it", before.get(resource.address)?.type)),
    ...changed
      .filter((resource) => resource.action === "replace")
      .flatMap((resource) =>
        lossOf(
          resource,
          "replace",
          resource.replacedThrough
            ? `${resource.replacedBy.join(", ")} take(s) a new value from ${resource.replacedThrough.join(", ")} and cannot change in place`
            : `${resource.replacedBy.join(", ")} cannot change in place`,
          after.get(resource.address)?.type,
        ),
      ),
  ];
  const refusals: PlanRefusal[] = [];
  const risks: ApplyRisk[] = [];
  for (const resource of changed) {
    const entry = direct.get(resource.address);
    if (entry === undefined) continue;
    if (resource.action === "replace" && preventsDestroy(entry.current.args)) {
      refusals.push({
        address: resource.address,
        path: resource.path,
        stage: "plan",
        rule: "prevent_destroy",
        message: `Instance cannot be destroyed: lifecycle.prevent_destroy is set, but the plan replaces it (${resource.replacedBy.join(", ")})`,
      });
    }
    for (const refusal of providerRefusals(entry.current.type, entry.old.args, entry.current.args)) refusals.push({ address: resource.address, path: resource.path, stage: "plan", rule: refusal.source, message: refusal.message });
    if (resource.action !== "update") continue;
    for (const refusal of applyRefusals(entry.current.type, entry.old.args, entry.current.args)) refusals.push({ address: resource.address, path: resource.path, stage: "apply", rule: refusal.source, message: refusal.message });
    for (const message of applyRisks(entry.current.type, entry.old.args, entry.current.args)) risks.push({ address: resource.address, path: resource.path, message });
    // ignore_changes is read from the new configuration: a value that changes in the change that starts ignoring it never reaches AWS.
    const newlyIgnored = [...new Set(entry.changes.filter((change) => change.ignored && !ignoredArguments(entry.old.args).has(topArgument(change.path))).map((change) => topArgument(change.path)))];
    if (newlyIgnored.length > 0) {
      risks.push({
        address: resource.address,
        path: resource.path,
        message: `${newlyIgnored.join(", ")} enter(s) lifecycle.ignore_changes in the same change that changes them: Terraform never applies the new value; change the value in one apply and start ignoring it in the next`,
      });
    }
  }
  for (const resource of changed.filter((entry) => entry.action === "replace")) {
    for (const holder of heldThroughIgnored(resource.address, after, before)) {
      const inUse = IN_USE_HOLDERS[typeOf(resource.address)];
      const blocking = holder.arguments.filter((argument) => inUse?.holders[holder.resource.type]?.includes(argument));
      const followers = "resources that reference it through applied arguments follow the new object";
      if (inUse !== undefined && blocking.length > 0) {
        refusals.push({
          address: resource.address,
          path: resource.path,
          stage: "apply",
          rule: `delete of the replaced object while ${holder.resource.address} uses it`,
          message:
            `replaced, but ${holder.resource.address} references it only through ${blocking.join(", ")}, which is in its lifecycle.ignore_changes: ` +
            `it keeps the old object, so deleting the old one FAILS (${inUse.error}), and ${followers} while traffic stays on the old one. ` +
            `Way through: let Terraform apply ${blocking.join(", ")} in an apply before it is ignored, or recreate ${holder.resource.address} (terraform apply -replace)`,
        });
      } else {
        risks.push({
          address: resource.address,
          path: resource.path,
          message: `replaced, but ${holder.resource.address} references it only through ${holder.arguments.join(", ")} (lifecycle.ignore_changes): it keeps the old object, which the replacement then deletes from under it, while ${followers}`,
        });
      }
    }
  }

  return {
    environment,
    verdict: refusals.length > 0 ? "refused" : losses.length > 0 ? "costly" : "safe",
    refusals,
    losses,
    applyRisks: risks,
    added: addedResources.map(ref),
    removed,
    moved: moved.sort((a, b) => compare(a.from, b.from)),
    changed,
    dataSources: diffDataSources(base ?? {}, head ?? {}),
    outputs: diffValues(withoutMetadata(base?.output), withoutMetadata(head?.output)),
    settings: diffValues(terraformSettings(base), terraformSettings(head)),
  };
}

const typeOf = (address: string): string => address.split(".")[0];

/** The resources that exist in both stacks and reference `address` only through arguments their head configuration ignores. */
function heldThroughIgnored(address: string, after: Map<string, StackResource>, before: Map<string, StackResource>): Array<{ resource: StackResource; arguments: string[] }> {
  const reference = `\${${address}.`;
  const mentions = (value: unknown): boolean => JSON.stringify(value ?? null).includes(reference);
  return [...after.values()].flatMap((resource) => {
    if (resource.address === address || !before.has(resource.address)) return [];
    const ignored = ignoredArguments(resource.args);
    const held = Object.keys(resource.args).filter((argument) => argument !== "lifecycle" && argument !== "depends_on" && mentions(resource.args[argument]));
    const throughIgnored = held.filter((argument) => ignored.has(argument));
    return throughIgnored.length > 0 && throughIgnored.length === held.length ? [{ resource, arguments: throughIgnored }] : [];
  });
}

/** Meta-arguments that order or guard the plan but change no resource: Terraform plans nothing for them. */
const PLAN_FREE_ARGUMENTS = new Set(["depends_on", "lifecycle"]);

function lossOf(resource: ResourceRef, action: Loss["action"], reason: string, type: string | undefined): Loss[] {
  if (resource.class === "replaceable") return [];
  const consequence = resourceClass(type ?? "").consequence ?? "";
  return [{ address: resource.address, path: resource.path, class: resource.class, action, reason, consequence }];
}

const referenceChange = (change: ReferenceChange): AttributeChange => ({
  path: change.path,
  summary: change.value === "unknown" ? `known after apply (from ${change.reference})` : `changes with ${change.reference}`,
});

function diffDataSources(base: StackJson, head: StackJson): PredictedPlan["dataSources"] {
  const before = new Map(stackResources(base, "data").map((source) => [source.address, source]));
  const after = new Map(stackResources(head, "data").map((source) => [source.address, source]));
  const addresses = [...new Set([...before.keys(), ...after.keys()])].sort(compare);
  return addresses.flatMap((address) => {
    const old = before.get(address);
    const current = after.get(address);
    const changes = diffValues(old?.args, current?.args, "", setArguments("data", (current ?? old)?.type ?? ""));
    if (old !== undefined && current !== undefined && changes.length === 0) return [];
    const change = old === undefined ? "added" : current === undefined ? "removed" : "changed";
    return [{ address, path: (current ?? old)?.path ?? "?", change, changes: change === "changed" ? changes : [] }];
  });
}

/** Outputs without cdktf's `//` metadata. */
function withoutMetadata(outputs: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs ?? {}).map(([name, output]) => {
      const { "//": _metadata, ...rest } = output as Record<string, unknown>;
      return [name, rest];
    }),
  );
}

/** The arguments a resource's `lifecycle.ignore_changes` lists (every argument for `all`). */
function ignoredArguments(args: Record<string, unknown>): Set<string> {
  const ignore = (args.lifecycle as { ignore_changes?: unknown } | undefined)?.ignore_changes;
  // `ignore_changes = all`: Terraform creates the resource and never plans a change to it again.
  if (ignore === "all") return new Set(Object.keys(args));
  return new Set(Array.isArray(ignore) ? ignore.map(String) : []);
}
const topArgument = (path: string): string => path.split(/[ .[]/)[0];

/** The `terraform` block without what differs between checkouts of the same commit. */
function terraformSettings(stack: StackJson | undefined): Record<string, unknown> {
  const settings = structuredClone(stack?.terraform ?? {}) as { backend?: { local?: { path?: string } } };
  // cdktf writes the local state file's absolute path: another checkout directory is not a change.
  if (settings.backend?.local?.path !== undefined) settings.backend.local.path = settings.backend.local.path.replace(/^.*[\\/]/, "");
  return settings;
}

const SENSITIVE_KEY = /password|secret|token|private_key|credential/i;
const LONG_TEXT = 160;

/**
 * The changed leaves between two argument trees; JSON documents inside strings are compared structurally, and the
 * arguments at `sets` (the type's set-typed paths, set-arguments.ts) as sets: elements in another order are no change.
 */
export function diffValues(before: unknown, after: unknown, path = "", sets: SetPaths = NO_SETS): AttributeChange[] {
  if (isEqual(before, after)) return [];
  const key = path.replace(/\[\d+\]$/, "").split(/[ .]/).pop() ?? "";
  if (typeof before === "string" && typeof after === "string") {
    const decodedBefore = decodeJson(before);
    const decodedAfter = decodeJson(after);
    if (decodedBefore !== undefined && decodedAfter !== undefined) return diffValues(decodedBefore, decodedAfter, `${path} (json) `).map(trimPath);
    if (key === "user_data") return [{ path, summary: `user data changed (${describeLines(decodeBase64(before), decodeBase64(after))})` }];
  }
  if (SENSITIVE_KEY.test(key) && (typeof before === "string" || typeof after === "string")) return [{ path, summary: "sensitive value changed (not shown)" }];
  // A block that appears or disappears is shown leaf by leaf, like one that changes.
  if ((isObject(before) || before === undefined) && (isObject(after) || after === undefined)) {
    before ??= {};
    after ??= {};
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compare);
    return keys.flatMap((name) => diffValues(before[name], after[name], joinPath(path, name), sets));
  }
  if (Array.isArray(before) && Array.isArray(after)) return sets.has(schemaPath(path)) ? diffSets(before, after, path, sets) : diffArrays(before, after, path, sets);
  if ((typeof before === "string" && before.length > LONG_TEXT) || (typeof after === "string" && after.length > LONG_TEXT)) {
    return [{ path, summary: `long text changed (${describeLines(String(before ?? ""), String(after ?? ""))})` }];
  }
  return [{ path, ...(before !== undefined && { before: display(before) }), ...(after !== undefined && { after: display(after) }) }];
}

/** Lists of named things (containers, statements, tags, variables) are matched by name, other lists by position. */
function diffArrays(before: unknown[], after: unknown[], path: string, sets: SetPaths): AttributeChange[] {
  const identity = identityOf(before, after);
  if (identity === undefined) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, index) => diffValues(before[index], after[index], `${path}[${index}]`, sets)).flat();
  }
  return diffNamed(before, after, path, sets, identity);
}

/** The field that names every element of both lists, each name once on each side; undefined when there is none. */
function identityOf(before: unknown[], after: unknown[]): string | undefined {
  const names = (items: unknown[], field: string) => items.map((item) => (item as Record<string, unknown>)[field]);
  return ["name", "Sid", "key", "device_name", "containerName"].find(
    (field) =>
      [...before, ...after].every((item) => isObject(item) && typeof item[field] === "string") &&
      new Set(names(before, field)).size === before.length &&
      new Set(names(after, field)).size === after.length,
  );
}

function diffNamed(before: unknown[], after: unknown[], path: string, sets: SetPaths, identity: string): AttributeChange[] {
  const byId = (items: unknown[]) => new Map(items.map((item) => [String((item as Record<string, unknown>)[identity]), item]));
  const old = byId(before);
  const current = byId(after);
  const ids = [...new Set([...old.keys(), ...current.keys()])];
  return ids.flatMap((id) => {
    const elementPath = `${path}[${identity}=${id}]`;
    // A named element that comes or goes is one change, not one per field.
    if (!old.has(id) || !current.has(id)) return [{ path: elementPath, ...(old.has(id) && { before: display(old.get(id)) }), ...(current.has(id) && { after: display(current.get(id)) }) }];
    return diffValues(old.get(id), current.get(id), elementPath, sets);
  });
}

const NO_SETS: SetPaths = new Set();

/** A diff path as the schema names it: `launch_template_config[0].overrides[2]` is `launch_template_config.overrides`. */
function schemaPath(path: string): string {
  return path.replace(/\[[^\]]*\]/g, "");
}

/**
 * A set compared as Terraform compares it: named elements by name (as lists of named things are), others by value,
 * equal elements being one (a set holds each once). An element in one side only is one change (Terraform removes
 * and adds it), at its index there; when exactly one went and one came, what changed inside it is shown instead.
 */
function diffSets(before: unknown[], after: unknown[], path: string, sets: SetPaths): AttributeChange[] {
  const identity = identityOf(before, after);
  if (identity !== undefined) return diffNamed(before, after, path, sets, identity);
  const firstIndexes = (items: unknown[]) => {
    const indexes = new Map<string, number>();
    items.forEach((item, index) => {
      const key = canonical(item, schemaPath(path), sets);
      if (!indexes.has(key)) indexes.set(key, index);
    });
    return indexes;
  };
  const [old, current] = [firstIndexes(before), firstIndexes(after)];
  const removed = [...old].filter(([key]) => !current.has(key)).map(([, index]) => index);
  const added = [...current].filter(([key]) => !old.has(key)).map(([, index]) => index);
  if (removed.length === 1 && added.length === 1) return diffValues(before[removed[0]], after[added[0]], `${path}[${added[0]}]`, sets);
  return [
    ...removed.map((index) => ({ path: `${path}[${index}]`, before: display(before[index]) })),
    ...added.map((index) => ({ path: `${path}[${index}]`, after: display(after[index]) })),
  ];
}

/** A value as text in which the elements of its sets are sorted and object keys ordered: equal text, equal in Terraform. */
function canonical(value: unknown, at: string, sets: SetPaths): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item, at, sets));
    return `[${(sets.has(at) ? items.sort(compare) : items).join(",")}]`;
  }
  if (isObject(value)) {
    return `{${Object.keys(value).sort(compare).map((name) => `${JSON.stringify(name)}:${canonical(value[name], `${at}.${name}`, sets)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

function joinPath(path: string, name: string): string {
  return path === "" || path.endsWith(" ") ? `${path}${name}` : `${path}.${name}`;
}
const trimPath = (change: AttributeChange): AttributeChange => ({ ...change, path: change.path.trimEnd() });

function decodeJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function decodeBase64(text: string): string {
  const decoded = Buffer.from(text, "base64").toString("utf8");
  return /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(decoded) ? decoded : text;
}

/** `12 → 14 lines, 3 added, 1 removed`: the size of a change to a document, not its content. */
function describeLines(before: string, after: string): string {
  const old = before.split("\n");
  const current = after.split("\n");
  const remaining = new Map<string, number>();
  for (const line of old) remaining.set(line, (remaining.get(line) ?? 0) + 1);
  let kept = 0;
  for (const line of current) {
    const count = remaining.get(line) ?? 0;
    if (count > 0) {
      kept++;
      remaining.set(line, count - 1);
    }
  }
  return `${old.length} → ${current.length} lines, ${current.length - kept} added, ${old.length - kept} removed`;
}

function display(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => isEqual(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((name) => Object.prototype.hasOwnProperty.call(b, name) && isEqual(a[name], b[name]));
  }
  return false;
}

/** True when the diff has anything to show. */
export function hasChanges(diff: PredictedPlan): boolean {
  return diff.added.length + diff.removed.length + diff.moved.length + diff.changed.length + diff.dataSources.length + diff.outputs.length + diff.settings.length > 0;
}
