import { replacingChanges } from "./replacing-attributes";
import type { StackResource } from "./stack-json";

/**
 * Attributes the provider recomputes on an in-place update, so that they are unknown in the plan:
 * `latest_version` of a launch template whose content changes, for example.
 */
const COMPUTED_ON_UPDATE: Readonly<Record<string, readonly string[]>> = {
  aws_launch_template: ["latest_version", "default_version"],
  aws_lambda_function: ["last_modified", "qualified_arn", "qualified_invoke_arn", "version", "code_sha256"],
  aws_sfn_state_machine: ["revision_id", "state_machine_version_arn"],
};

/**
 * What the plan knows of a resource: new or replaced (every computed attribute unknown), or updated
 * in place. A data source is `update` when it is re-read at plan with new values, `create` when it
 * can only be read at apply.
 */
export type PlannedAction = "create" | "replace" | "update";

/** One argument of a resource whose value changes only because something it references does. */
export interface ReferenceChange {
  /** e.g. `launch_template_config[0].launch_template_specification[0].id`. */
  readonly path: string;
  /** The referenced attribute, e.g. `aws_launch_template.fleet_template_1A2B.id`. */
  readonly reference: string;
  /** `unknown`: known only after apply (the referenced resource is created or replaced); `changed`: a new known value. */
  readonly value: "unknown" | "changed";
}

/** What propagation adds to the direct changes: resources replaced or updated through their references. */
export interface Propagated {
  /** By address: the arguments that change through references (replace-forcing or not). */
  readonly changes: ReadonlyMap<string, readonly ReferenceChange[]>;
  /** By address: the replace-forcing arguments among them, for resources that the references replace. */
  readonly replacedBy: ReadonlyMap<string, readonly string[]>;
}

const REFERENCE = /(?<![\w.])((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\.([a-z0-9_]+))?/g;

/** Every `${...}` reference in a resource's arguments, with the argument path it sits in (lifecycle and depends_on left out). */
export function argumentReferences(args: Record<string, unknown>, ignored: ReadonlySet<string>): Array<{ path: string; address: string; attribute?: string }> {
  const found: Array<{ path: string; address: string; attribute?: string }> = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string") {
      for (const expression of value.matchAll(/\$\{([^}]*)\}/g)) {
        for (const match of expression[1].matchAll(REFERENCE)) found.push({ path, address: match[1], ...(match[2] !== undefined && { attribute: match[2] }) });
      }
    } else if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${path}[${index}]`));
    else if (typeof value === "object" && value !== null) for (const [key, item] of Object.entries(value)) walk(item, path === "" ? key : `${path}.${key}`);
  };
  for (const [name, value] of Object.entries(args)) if (!["lifecycle", "depends_on", "provider", "count", "for_each"].includes(name) && !ignored.has(name)) walk(value, name);
  return found;
}

/**
 * Follows replacements and changed values through references until nothing more changes, as
 * `terraform plan` does: a created or replaced resource's computed attributes are unknown, an
 * updated one's `COMPUTED_ON_UPDATE` attributes too, and a changed configured argument carries its
 * new value; an argument that references any of these changes, and when that argument forces
 * replacement (`REPLACING_ATTRIBUTES`), its resource is replaced too.
 *
 * `planned` holds the direct actions by head address (changed arguments, new resources); `changedArguments`
 * the top-level arguments each changed resource changes directly; `ignored` each resource's `ignore_changes`.
 */
export function propagateThroughReferences(
  resources: ReadonlyMap<string, StackResource>,
  planned: ReadonlyMap<string, PlannedAction>,
  changedArguments: ReadonlyMap<string, ReadonlySet<string>>,
  ignored: (resource: StackResource) => ReadonlySet<string>,
): Propagated {
  const actions = new Map(planned);
  const changes = new Map<string, ReferenceChange[]>();
  const replacedBy = new Map<string, string[]>();
  const references = new Map([...resources].map(([address, resource]) => [address, argumentReferences(resource.args, ignored(resource))]));

  const valueOf = (address: string, attribute: string | undefined): ReferenceChange["value"] | undefined => {
    const action = actions.get(address);
    if (action === undefined) return undefined;
    // A data source re-read at plan has new known values; one that references something unknown is read at apply.
    if (address.startsWith("data.")) return action === "create" ? "unknown" : "changed";
    const resource = resources.get(address);
    const configured = attribute !== undefined && resource !== undefined && attribute in resource.args;
    if (action === "update") {
      if (attribute === undefined) return "changed";
      if (COMPUTED_ON_UPDATE[resource?.type ?? ""]?.includes(attribute)) return "unknown";
      return configured && changedArguments.get(address)?.has(attribute) ? "changed" : undefined;
    }
    // A configured value without references is known even on a new object; anything else is computed.
    if (configured && !/\$\{/.test(JSON.stringify(resource.args[attribute]))) return changedArguments.get(address)?.has(attribute) ? "changed" : undefined;
    return "unknown";
  };

  for (let changed = true; changed; ) {
    changed = false;
    for (const [address, found] of references) {
      if (actions.get(address) === "create" || actions.get(address) === "replace") continue;
      const resource = resources.get(address) as StackResource;
      const through = found.flatMap((reference) => {
        const value = valueOf(reference.address, reference.attribute);
        return value === undefined ? [] : [{ path: reference.path, reference: `${reference.address}${reference.attribute ? `.${reference.attribute}` : ""}`, value }];
      });
      const known = changes.get(address) ?? [];
      if (through.length === known.length) continue;
      changes.set(address, through);
      const forcing = replacingChanges(resource.type, through.map((change) => change.path));
      if (address.startsWith("data.")) actions.set(address, through.some((change) => change.value === "unknown") ? "create" : "update");
      else if (forcing.length > 0) {
        replacedBy.set(address, forcing);
        actions.set(address, "replace");
      } else if (!actions.has(address)) actions.set(address, "update");
      changed = true;
    }
  }
  return { changes, replacedBy };
}
