import { hasChanges, type AttributeChange, type EnvironmentDiff } from "./stack-diff";

/** Where the diff's base came from, for the report's heading. */
export interface DiffBase {
  /** What the user asked for, e.g. `main` or `merge base with main`. */
  readonly ref: string;
  readonly commit: string;
}

const change = (entry: AttributeChange): string =>
  (entry.summary !== undefined ? `${entry.path}: ${entry.summary}` : `${entry.path}: ${entry.before ?? "(unset)"} → ${entry.after ?? "(unset)"}`) +
  (entry.ignored ? "  (ignored: lifecycle.ignore_changes)" : "");

/** The terminal report: per environment, stateful losses first, then moved, added, removed, changed. */
export function formatText(base: DiffBase, diffs: readonly EnvironmentDiff[]): string {
  const lines = [`base ${base.commit.slice(0, 12)} (${base.ref}) → working tree`];
  for (const diff of diffs) {
    lines.push("");
    if (!hasChanges(diff)) {
      lines.push(`${diff.environment}: no changes`);
      continue;
    }
    const losses = diff.statefulLosses.length;
    lines.push(`${diff.environment}: ${losses > 0 ? `${losses} stateful resource(s) would be DESTROYED or REPLACED` : "no stateful resource is destroyed or replaced"}`);
    for (const loss of diff.statefulLosses) lines.push(`  !! ${loss.action.padEnd(7)} ${loss.address}  (${loss.path}): ${loss.reason}`);
    const section = (title: string, entries: string[][]) => {
      if (entries.length > 0) lines.push(`  ${title} (${entries.length}):`, ...entries.flat().map((entry) => `    ${entry}`));
    };
    section("moved", diff.moved.map((entry) => [`${entry.from} → ${entry.to}`]));
    section("added", diff.added.map((entry) => [`+ ${entry.address}  (${entry.path})`]));
    section("removed", diff.removed.map((entry) => [`- ${entry.address}  (${entry.path})${entry.stateful ? "  [stateful]" : ""}`]));
    section(
      "changed",
      diff.changed.map((entry) => [
        `${entry.action === "replace" ? "-/+" : "~"} ${entry.address}  (${entry.path})${entry.action === "replace" ? `  replaces: ${entry.replacedBy.join(", ")}` : ""}`,
        ...entry.changes.map((attribute) => `    ${change(attribute)}`),
      ]),
    );
    section("data sources", diff.dataSources.map((entry) => [`${entry.change} ${entry.address}  (${entry.path})`, ...entry.changes.map((attribute) => `    ${change(attribute)}`)]));
    section("outputs", diff.outputs.map((entry) => [change(entry)]));
    section("terraform settings", diff.settings.map((entry) => [change(entry)]));
  }
  return `${lines.join("\n")}\n`;
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A pull-request comment: a summary table, the stateful losses, and the details folded away. */
export function formatMarkdown(base: DiffBase, diffs: readonly EnvironmentDiff[]): string {
  const lossCount = diffs.reduce((sum, diff) => sum + diff.statefulLosses.length, 0);
  const lines = [
    `## Infrastructure change review`,
    "",
    lossCount > 0 ? `> [!CAUTION]\n> ${lossCount} stateful resource(s) would be destroyed or replaced.` : "No stateful resource is destroyed or replaced.",
    "",
    `Base ${code(base.commit.slice(0, 12))} (${base.ref}) → this change.`,
    "",
    "| environment | destroyed/replaced stateful | added | removed | moved | changed |",
    "| --- | --- | --- | --- | --- | --- |",
    ...diffs.map((diff) => `| ${diff.environment} | ${diff.statefulLosses.length > 0 ? `**${diff.statefulLosses.length}**` : 0} | ${diff.added.length} | ${diff.removed.length} | ${diff.moved.length} | ${diff.changed.length} |`),
  ];
  for (const diff of diffs.filter(hasChanges)) {
    lines.push("", `### ${diff.environment}`);
    if (diff.statefulLosses.length > 0) {
      lines.push("", "| action | resource | construct path | why |", "| --- | --- | --- | --- |");
      for (const loss of diff.statefulLosses) lines.push(`| **${loss.action}** | ${code(loss.address)} | ${code(loss.path)} | ${cell(loss.reason)} |`);
    }
    const details: string[] = [];
    for (const entry of diff.moved) details.push(`- moved ${code(entry.from)} → ${code(entry.to)}`);
    for (const entry of diff.added) details.push(`- added ${code(entry.address)} (${code(entry.path)})`);
    for (const entry of diff.removed) details.push(`- removed ${code(entry.address)} (${code(entry.path)})`);
    for (const entry of diff.changed) {
      details.push(`- ${entry.action === "replace" ? `**replaced** (${entry.replacedBy.map(code).join(", ")})` : "changed"} ${code(entry.address)}`);
      for (const attribute of entry.changes) details.push(`  - ${code(change(attribute))}`);
    }
    for (const entry of diff.dataSources) {
      details.push(`- data source ${entry.change} ${code(entry.address)}`);
      for (const attribute of entry.changes) details.push(`  - ${code(change(attribute))}`);
    }
    for (const attribute of diff.outputs) details.push(`- output ${code(change(attribute))}`);
    for (const attribute of diff.settings) details.push(`- terraform settings: ${code(change(attribute))}`);
    lines.push("", "<details><summary>every change</summary>", "", ...details, "", "</details>");
  }
  return `${lines.join("\n")}\n`;
}
