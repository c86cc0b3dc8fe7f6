import { parseArgs } from "node:util";
import { ENVIRONMENTS } from "../stacks/environments";
import { UsageError } from "./git-base";

export const HELP = `usage: npm run diff -- [--base <git ref>] [environment...] [--json | --markdown]

Synthesizes the base commit and the working tree and predicts, per environment, what
\`terraform plan\` would do: which Terraform resources would be added, removed, moved (moved
blocks), updated or replaced (with the changed arguments, and replacement carried through
references), what each costly replacement does, and first of all what Terraform would refuse
(prevent_destroy, the provider's plan-time rules) and which stateful or disruptive resources
would be destroyed or replaced.

  --base <ref>   commit, branch or tag to compare with (default: the merge base of HEAD with main)
  environment    only these environments (default: all); known: ${Object.keys(ENVIRONMENTS).join(", ")}
  --json         machine-readable report on stdout (for CI)
  --markdown     a pull-request comment on stdout
  -h, --help     this text

Exit status: 0 safe (nothing stateful or disruptive is destroyed or replaced), 1 a stateful or
disruptive resource would be destroyed or replaced (or synthesis failed), 2 bad input,
3 terraform plan or apply will FAIL (a refused change). Progress goes to stderr.
`;

/** The exit status of each verdict: 2 stays bad input. */
export const EXIT_STATUS = { safe: 0, costly: 1, refused: 3 } as const;

export interface Options {
  readonly base?: string;
  readonly environments: readonly string[];
  readonly format: "text" | "json" | "markdown";
}

/** Validates the command line before anything is synthesized. */
export function parseOptions(argv: readonly string[], known: readonly string[]): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { base: { type: "string" }, json: { type: "boolean" }, markdown: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (values.json && values.markdown) throw new UsageError("--json and --markdown exclude each other");
  if (values.base !== undefined && values.base.trim() === "") throw new UsageError("--base needs a git ref");
  const unknown = positionals.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown environment(s) ${unknown.join(", ")}; known: ${known.join(", ")}`);
  return { base: values.base, environments: [...new Set(positionals)], format: values.json ? "json" : values.markdown ? "markdown" : "text" };
}

