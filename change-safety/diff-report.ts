import { hasChanges, type AttributeChange, type Loss, type PlanRefusal, type PredictedPlan, type Verdict } from "./stack-diff";

/** Where the diff's base came from, for the report's heading. */
export interface DiffBase {
  /** What the user asked for, e.g. `main` or `merge base with main`. */
  readonly ref: string;
  readonly commit: string;
}

const change = (entry: AttributeChange): string =>
  (entry.summary !== undefined ? `${entry.path}: ${entry.summary}` : `${entry.path}: ${entry.before ?? "(unset)"} → ${entry.after ?? "(unset)"}`) +
  (entry.ignored ? "  (ignored: lifecycle.ignore_changes)" : "");

/** The worst verdict of several environments: one refused plan refuses the change. */
export function overallVerdict(plans: readonly PredictedPlan[]): Verdict {
  return plans.some((plan) => plan.verdict === "refused") ? "refused" : plans.some((plan) => plan.verdict === "costly") ? "costly" : "safe";
}

const refusalLine = (refusal: PlanRefusal): string => `${refusal.address}  (${refusal.path}): ${refusal.message}  [${refusal.rule}]`;

/** `plan will FAIL` when Terraform refuses the plan, else `apply will FAIL` (the plan passes, AWS refuses partway). */
export function failureWords(refusals: readonly PlanRefusal[]): string {
  return refusals.some((refusal) => refusal.stage === "plan") ? "terraform plan will FAIL" : "terraform apply will FAIL";
}
const lossWords = (loss: Loss): string => (loss.class === "stateful" ? "data or identity would be LOST" : "what runs is interrupted");
const lossLine = (loss: Loss): string => `${loss.action} ${loss.address}  (${loss.path}): ${loss.reason}; ${lossWords(loss)}: ${loss.consequence}`;

/** One line per environment: what its plan comes to. */
function headline(plan: PredictedPlan): string {
  if (plan.verdict === "refused") {
    return plan.refusals.some((refusal) => refusal.stage === "plan")
      ? `plan will FAIL: Terraform refuses ${plan.refusals.length} change(s)`
      : `plan passes, apply will FAIL: AWS refuses ${plan.refusals.length} change(s)`;
  }
  if (plan.verdict === "costly") return `${plan.losses.length} stateful or disruptive resource(s) would be DESTROYED or REPLACED`;
  return "no stateful or disruptive resource is destroyed or replaced";
}

/** The terminal report: per environment, refusals first, then losses, then moved, added, removed, changed. */
export function formatText(base: DiffBase, plans: readonly PredictedPlan[]): string {
  const lines = [`base ${base.commit.slice(0, 12)} (${base.ref}) → working tree`];
  for (const plan of plans) {
    lines.push("");
    if (!hasChanges(plan)) {
      lines.push(`${plan.environment}: no changes`);
      continue;
    }
    lines.push(`${plan.environment}: ${headline(plan)}`);
    for (const refusal of plan.refusals) lines.push(`  XX refused ${refusal.stage === "apply" ? "at apply " : ""}${refusalLine(refusal)}`);
    for (const loss of plan.losses) lines.push(`  !! ${lossLine(loss)}`);
    for (const risk of plan.applyRisks) lines.push(`  ?? apply can fail: ${risk.address}  (${risk.path}): ${risk.message}`);
    const section = (title: string, entries: string[][]) => {
      if (entries.length > 0) lines.push(`  ${title} (${entries.length}):`, ...entries.flat().map((entry) => `    ${entry}`));
    };
    section("moved", plan.moved.map((entry) => [`${entry.from} → ${entry.to}`]));
    section("added", plan.added.map((entry) => [`+ ${entry.address}  (${entry.path})`]));
    section("removed", plan.removed.map((entry) => [`- ${entry.address}  (${entry.path})${entry.class === "replaceable" ? "" : `  [${entry.class}]`}`]));
    section(
      "changed",
      plan.changed.map((entry) => [
        `${entry.action === "replace" ? "-/+" : "~"} ${entry.address}  (${entry.path})${entry.action === "replace" ? `  replaces: ${entry.replacedBy.join(", ")}` : ""}${
          entry.replacedThrough ? ` (through ${entry.replacedThrough.join(", ")})` : ""
        }`,
        ...(entry.consequence ? [`    => ${entry.consequence}`] : []),
        ...entry.changes.map((attribute) => `    ${change(attribute)}`),
      ]),
    );
    section("data sources", plan.dataSources.map((entry) => [`${entry.change} ${entry.address}  (${entry.path})`, ...entry.changes.map((attribute) => `    ${change(attribute)}`)]));
    section("outputs", plan.outputs.map((entry) => [change(entry)]));
    section("terraform settings", plan.settings.map((entry) => [change(entry)]));
  }
  return `${lines.join("\n")}\n`;
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A pull-request comment: a summary table, the refusals and losses, and the details folded away. */
export function formatMarkdown(base: DiffBase, plans: readonly PredictedPlan[]): string {
  const verdict = overallVerdict(plans);
  const count = (pick: (plan: PredictedPlan) => number) => plans.reduce((sum, plan) => sum + pick(plan), 0);
  const lines = [
    `## Infrastructure change review`,
    "",
    verdict === "refused"
      ? `> [!CAUTION]\n> ${failureWords(plans.flatMap((plan) => plan.refusals))}: ${count((plan) => plan.refusals.length)} change(s) refused.`
      : verdict === "costly"
        ? `> [!WARNING]\n> ${count((plan) => plan.losses.length)} stateful or disruptive resource(s) would be destroyed or replaced.`
        : "No stateful or disruptive resource is destroyed or replaced.",
    "",
    `Base ${code(base.commit.slice(0, 12))} (${base.ref}) → this change.`,
    "",
    "| environment | plan | refused | destroyed/replaced stateful or disruptive | added | removed | moved | changed |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...plans.map(
      (plan) =>
        `| ${plan.environment} | ${plan.verdict} | ${plan.refusals.length > 0 ? `**${plan.refusals.length}**` : 0} | ${plan.losses.length > 0 ? `**${plan.losses.length}**` : 0} | ${plan.added.length} | ${plan.removed.length} | ${plan.moved.length} | ${plan.changed.length} |`,
    ),
  ];
  for (const plan of plans.filter(hasChanges)) {
    lines.push("", `### ${plan.environment}`);
    if (plan.refusals.length > 0) {
      lines.push("", "| refused | at | construct path | why |", "| --- | --- | --- | --- |");
      for (const refusal of plan.refusals) lines.push(`| ${code(refusal.address)} | ${refusal.stage} | ${code(refusal.path)} | ${cell(`${refusal.message} [${refusal.rule}]`)} |`);
    }
    if (plan.losses.length > 0) {
      lines.push("", "| action | resource | construct path | why | what it costs |", "| --- | --- | --- | --- | --- |");
      for (const loss of plan.losses) lines.push(`| **${loss.action}** | ${code(loss.address)} | ${code(loss.path)} | ${cell(loss.reason)} | ${cell(loss.consequence)} |`);
    }
    if (plan.applyRisks.length > 0) lines.push("", ...plan.applyRisks.map((risk) => `- apply can fail: ${code(risk.address)}: ${risk.message}`));
    const details: string[] = [];
    for (const entry of plan.moved) details.push(`- moved ${code(entry.from)} → ${code(entry.to)}`);
    for (const entry of plan.added) details.push(`- added ${code(entry.address)} (${code(entry.path)})`);
    for (const entry of plan.removed) details.push(`- removed ${code(entry.address)} (${code(entry.path)})`);
    for (const entry of plan.changed) {
      details.push(`- ${entry.action === "replace" ? `**replaced** (${entry.replacedBy.map(code).join(", ")})` : "changed"} ${code(entry.address)}${entry.consequence ? `: ${entry.consequence}` : ""}`);
      for (const attribute of entry.changes) details.push(`  - ${code(change(attribute))}`);
    }
    for (const entry of plan.dataSources) {
      details.push(`- data source ${entry.change} ${code(entry.address)}`);
      for (const attribute of entry.changes) details.push(`  - ${code(change(attribute))}`);
    }
    for (const attribute of plan.outputs) details.push(`- output ${code(change(attribute))}`);
    for (const attribute of plan.settings) details.push(`- terraform settings: ${code(change(attribute))}`);
    lines.push("", "<details><summary>every change</summary>", "", ...details, "", "</details>");
  }
  return `${lines.join("\n")}\n`;
}
