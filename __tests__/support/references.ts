import type { Synthesized } from "./synth";

/**
 * The data source an interpolation such as `${data.aws_iam_policy_document.x.json}` points to, so
 * a test can follow a resource's `policy` to the statements it renders.
 */
export function referencedDataSource(json: Synthesized, reference: unknown): Record<string, any> {
  const match = /^\$\{data\.([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(String(reference));
  if (!match) throw new Error(`not a data source reference: ${String(reference)}`);
  const found = json.data?.[match[1]]?.[match[2]];
  if (!found) throw new Error(`no data source ${match[1]}.${match[2]}`);
  return found;
}

/** The statements of the policy document a resource's policy attribute references, by sid (or index). */
export function statementsOf(json: Synthesized, reference: unknown): Record<string, Record<string, any>> {
  const statements = referencedDataSource(json, reference).statement as Array<Record<string, any>>;
  return Object.fromEntries(statements.map((statement, index) => [statement.sid ?? String(index), statement]));
}

/** The resource a reference such as `${aws_lb.x.arn}` points to, as `type.name`. */
export function referencedResourceAddress(reference: unknown): string {
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\.[a-z_]+)?\}$/.exec(String(reference));
  if (!match) throw new Error(`not a resource reference: ${String(reference)}`);
  return `${match[1]}.${match[2]}`;
}
