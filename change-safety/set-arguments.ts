/**
 * Where a resource's arguments are sets: Terraform compares a set's elements by value, so a set whose elements only
 * come in another order plans no change. The table (set-arguments.json) is read from the hashicorp/aws 6.25.0 schema
 * for the resource and data source types the platform synthesizes: `npm run set-arguments:update -- <schema>`
 * (generate-set-arguments.ts) rewrites it. Loads without cdktf.
 */
import table from "./set-arguments.json";

/** Set-typed arguments and blocks of one type, as paths without list indexes (`ingress`, `launch_template_config.overrides`). */
export type SetPaths = ReadonlySet<string>;

export interface SetArgumentTable {
  readonly source: string;
  readonly resource: Readonly<Record<string, readonly string[]>>;
  readonly data: Readonly<Record<string, readonly string[]>>;
}

const SET_ARGUMENTS: SetArgumentTable = table;
const cache = new Map<string, SetPaths>();
const NONE: SetPaths = new Set();

/** The set-typed paths of a resource type (or, with `"data"`, a data source type); none for a type the table lacks. */
export function setArguments(kind: "resource" | "data", type: string): SetPaths {
  const key = `${kind}.${type}`;
  let paths = cache.get(key);
  if (paths === undefined) {
    paths = Object.hasOwn(SET_ARGUMENTS[kind], type) ? new Set(SET_ARGUMENTS[kind][type]) : NONE;
    cache.set(key, paths);
  }
  return paths;
}

