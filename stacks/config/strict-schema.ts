/**
 * Strictness for the whole config schema at once: `strictEverywhere` rebuilds a schema so that
 * every object in it, however deeply nested or wrapped (optional, default, array, union, record,
 * tuple, pipe), refuses keys it does not declare and names the closest one it does. Fields added to
 * `stacks/config/` with a plain `z.object` are covered without anyone remembering to.
 */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";

/** The part of a zod 4 schema definition the rebuild reads; every other field is copied as is. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  error?: (issue: z.core.$ZodRawIssue) => unknown;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  options?: z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
}

const definition = (schema: z.ZodType): SchemaDef => schema._zod.def as unknown as SchemaDef;

/** The known key a typo most likely meant: a few edits away, or a shortened form (`retry` for `retries`). */
export function closestKnownKey(key: string, known: readonly string[]): string | undefined {
  const typed = key.toLowerCase();
  const lowered = known.map((candidate) => candidate.toLowerCase());
  const shortened = lowered.findIndex((candidate) => typed.length >= 4 && (candidate.startsWith(typed.slice(0, -1)) || typed.startsWith(candidate)));
  if (shortened >= 0) return known[shortened];
  if (lowered.length === 0) return undefined;
  const nearest = closest(typed, lowered);
  return distance(typed, nearest) <= Math.max(2, Math.floor(nearest.length / 3)) ? known[lowered.indexOf(nearest)] : undefined;
}

/** `` `alowedAccountIds`: unknown field; did you mean `allowedAccountIds`? ``, or the known fields when none is close. */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const suggestion = closestKnownKey(key, known);
  return suggestion !== undefined ? `\`${key}\`: unknown field; did you mean \`${suggestion}\`?` : `\`${key}\`: unknown field; known fields: ${known.join(", ")}`;
}

/**
 * The message of an `unrecognized_keys` issue: one line per key, in the issue's key order, so the
 * error formatter can report each key at its own path.
 */
function unknownKeysError(known: readonly string[]) {
  return (issue: z.core.$ZodRawIssue): string | undefined =>
    issue.code === "unrecognized_keys" ? (issue.keys as string[]).map((key) => unknownFieldMessage(key, known)).join("\n") : undefined;
}

/** A copy of `schema` with `changes` in its definition, keeping its description and other metadata. */
function rebuilt<T extends z.ZodType>(schema: T, changes: Partial<SchemaDef>): T {
  // Descriptors, not a spread: a default's value is a getter that hands every parse a fresh copy.
  const descriptors = Object.getOwnPropertyDescriptors(schema._zod.def) as Record<string, PropertyDescriptor>;
  for (const key of Object.keys(changes)) delete descriptors[key];
  const def = Object.assign(Object.defineProperties({}, descriptors), changes);
  const copy = schema.clone(def as T["_zod"]["def"]) as T;
  const meta = z.globalRegistry.get(schema);
  if (meta) z.globalRegistry.add(copy, meta);
  return copy;
}

/** Every object in `schema` made strict (unknown keys are errors with a "did you mean"); nothing else changes. */
export function strictEverywhere<T extends z.ZodType>(schema: T): T {
  const def = definition(schema);
  const walk = <S extends z.ZodType | undefined | null>(child: S): S => (child ? strictEverywhere(child) : child) as S;
  switch (def.type) {
    case "object": {
      const shape = Object.fromEntries(Object.entries(def.shape ?? {}).map(([key, value]) => [key, strictEverywhere(value)]));
      const known = Object.keys(shape);
      const ownError = def.error;
      const error = (issue: z.core.$ZodRawIssue): unknown => unknownKeysError(known)(issue) ?? ownError?.(issue);
      return rebuilt(schema, { shape, catchall: z.never(), error });
    }
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "nonoptional":
    case "catch":
      return rebuilt(schema, { innerType: walk(def.innerType) });
    case "array":
      return rebuilt(schema, { element: walk(def.element) });
    case "record":
      return rebuilt(schema, { valueType: walk(def.valueType) });
    case "tuple":
      return rebuilt(schema, { items: (def.items ?? []).map((item) => strictEverywhere(item)), rest: walk(def.rest) });
    case "union":
      return rebuilt(schema, { options: (def.options ?? []).map((option) => strictEverywhere(option)) });
    case "pipe":
      return rebuilt(schema, { in: walk(def.in), out: walk(def.out) });
    default:
      return schema;
  }
}
