/**
 * Turns schema issues into the lines a person fixes a config from: the field's path with list items
 * named by their `name` (`services[api].memory`), each unknown key on its own line with the closest
 * known one, and the offending value echoed when the message does not already show it.
 */
import type { z } from "zod";

type Segment = PropertyKey;

/** The value at `path` in `input`, or undefined when the path leaves it. */
export function valueAt(input: unknown, path: readonly Segment[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment as string];
  }
  return current;
}

/** `services[api].healthCheck.path`: list items by their unique `name` where they have one, by index otherwise. */
export function formatPath(input: unknown, path: readonly Segment[]): string {
  let text = "";
  let current: unknown = input;
  for (const segment of path) {
    const name = Array.isArray(current) && typeof segment === "number" ? itemName(current, segment) : undefined;
    if (name !== undefined) text += `[${name}]`;
    else text += `${text === "" ? "" : "."}${String(segment)}`;
    current = typeof current === "object" && current !== null ? (current as Record<PropertyKey, unknown>)[segment as string] : undefined;
  }
  return text || "(root)";
}

function itemName(list: readonly unknown[], index: number): string | undefined {
  const nameOf = (item: unknown): unknown => (typeof item === "object" && item !== null ? (item as { name?: unknown }).name : undefined);
  const name = nameOf(list[index]);
  if (typeof name !== "string" || name === "") return undefined;
  // A name two items share does not say which one is meant: the index does.
  return list.filter((item) => nameOf(item) === name).length === 1 ? name : undefined;
}

/** ` (got "rate(1 days)")` for a scalar the message does not quote already. */
function echo(value: unknown, message: string): string {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return "";
  const shown = JSON.stringify(value);
  return message.includes(shown) || message.includes(String(value)) ? "" : ` (got ${shown})`;
}

/** One `path: what is wrong` line per problem. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // strictEverywhere's message holds one line per key, in the issue's key order.
      const lines = issue.message.split("\n");
      return issue.keys.map((key, index) => {
        const line = lines[index] ?? "unknown field";
        return `${formatPath(input, [...issue.path, key])}: ${line.replace(`\`${key}\`: `, "")}`;
      });
    }
    const field = formatPath(input, issue.path);
    const options = issue.code === "invalid_union" ? (issue as { options?: unknown }).options : undefined;
    if (Array.isArray(options)) {
      // A discriminated union's unknown tag: list the tags it knows.
      const known = options.map((option) => JSON.stringify(option)).join(", ");
      return [`${field}: must be one of ${known}${echo(valueAt(input, issue.path), "")}`];
    }
    return [`${field}: ${issue.message}${echo(valueAt(input, issue.path), issue.message)}`];
  });
}
