import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ConfigError, parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { PLACEHOLDER_PREFIX } from "../../stacks/config/placeholders";
import { constName, ScaffoldError, scaffoldAdvice, scaffoldEnvironment } from "../../environment-scaffold/scaffold";
import { fillPlaceholders, REGISTERED, unregisteredName } from "../support/new-environments";
import { EXAMPLES } from "../support/examples";

const root = path.resolve(__dirname, "../..");

/** A temporary copy of what new-env reads and writes (never the real tree). */
function copyOfProject(parts: readonly string[] = ["stacks/environments", "change-safety/addresses"]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-env-"));
  for (const part of parts) fs.cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
  return dir;
}

/** The environment a generated file exports (the file imports only a type, so it loads on its own). */
async function load(file: string, name: string): Promise<EnvironmentInput> {
  const module = (await import(file)) as Record<string, EnvironmentInput>;
  return module[constName(name)];
}

function problemsOf(input: EnvironmentInput): readonly string[] {
  try {
    parseEnvironmentConfig(input);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const qa = unregisteredName("qa");

/** The message of a refused scaffold (exit 2) in a copy of the project, after checking that nothing was written. */
function scaffoldRefusal({ name, from, extra }: { name: string; from: string; extra?: string }): string {
  const dir = copyOfProject();
  const environments = extra === undefined ? ENVIRONMENTS : { ...ENVIRONMENTS, [extra]: { ...ENVIRONMENTS[from], environment: extra } };
  const listing = () => ["stacks/environments", "change-safety/addresses"].map((folder) => fs.readdirSync(path.join(dir, folder)).sort());
  const before = { listing: listing(), index: fs.readFileSync(path.join(dir, "stacks/environments/index.ts"), "utf8") };
  let error: unknown;
  try {
    scaffoldEnvironment({ root: dir, name, from, environments });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ScaffoldError);
  expect((error as ScaffoldError).exitCode).toBe(2);
  expect(listing()).toEqual(before.listing);
  expect(fs.readFileSync(path.join(dir, "stacks/environments/index.ts"), "utf8")).toBe(before.index);
  return (error as ScaffoldError).message;
}

describe("npm run new-env", () => {
  test.each(REGISTERED)("GIVEN a copy from %s THEN it is registered, keeps no value that must differ, and is refused until every placeholder is filled", async (from) => {
    // GIVEN a temporary copy of the environments
    const dir = copyOfProject();

    // WHEN
    const result = scaffoldEnvironment({ root: dir, name: qa, from, environments: ENVIRONMENTS });

    // THEN the file exists and is listed last in the registry
    const file = path.join(dir, result.file);
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain(`environment: "${qa}"`);
    expect(text).toContain(`export const ${qa}: EnvironmentInput = {`);
    const registry = fs.readFileSync(path.join(dir, "stacks/environments/index.ts"), "utf8");
    expect(registry).toContain(`import { ${qa} } from "./${qa}";`);
    expect(registry).toMatch(new RegExp(`= \\{ [^}]+, ${qa} \\};`));
    // and the steps end with taking the address lock, then the tests
    expect(result.next.slice(-2)).toEqual([expect.stringMatching(new RegExp(`^npm run lock:update \\(writes change-safety/addresses/${qa}\\.txt`)), "npm test"]);
    // no host, e-mail, account id or CIDR of the source survives
    const source = JSON.stringify(ENVIRONMENTS[from]);
    const mustDiffer = [...source.matchAll(/"([a-z0-9.-]+\.example\.com|[\w.-]+@example\.com|\d{12}|10\.\d+\.0\.0\/16)"/g)].map((match) => match[1]);
    expect(mustDiffer.length).toBeGreaterThan(0);
    for (const value of mustDiffer) expect(text.includes(`"${value}"`), `${value} was carried over`).toBe(false);

    // and validation names each placeholder and what to fill in
    const problems = problemsOf(await load(file, qa));
    expect(problems.length).toBe(result.placeholders.length);
    for (const problem of problems) expect(problem).toMatch(/^\S+: placeholder left by new-env: fill in .+ \(was .+\)$/);

    // WHEN every placeholder is filled THEN the environment is valid
    const filled = path.join(dir, `stacks/environments/${qa}-filled.ts`);
    fs.writeFileSync(filled, fillPlaceholders(text, qa));
    expect(problemsOf(await load(filled, qa))).toEqual([]);
  });

  test.each(Object.entries(ENVIRONMENTS).map(([name, env]) => [name, env.capacity.mode] as const))(
    "GIVEN a copy from %s (%s) THEN it is pointed at capacity providers exactly when the source runs on Spot Fleet, a legacy API",
    (from, mode) => {
      const result = scaffoldEnvironment({ root: copyOfProject(), name: qa, from, environments: ENVIRONMENTS });

      expect(result.advice).toEqual(
        mode === "spot-fleet" ? [{ path: "capacity.mode", advice: expect.stringMatching(/legacy API.*prefer "capacity-providers".*docs\/spot\.md/) }] : [],
      );
      expect(result.advice).toEqual(scaffoldAdvice(ENVIRONMENTS[from]));
    },
  );

  test("names list items by their name and gives one address used twice a placeholder per use", () => {
    const fromProduction = scaffoldEnvironment({ root: copyOfProject(), name: unregisteredName("qa-us"), from: "production", environments: EXAMPLES });
    expect(fromProduction.placeholders.map((entry) => entry.path)).toEqual(expect.arrayContaining(["services[api].hostHeaders.0", "services[admin].hostHeaders.0"]));
    const dir = copyOfProject();
    const qaEu = unregisteredName("qa-eu");
    const result = scaffoldEnvironment({ root: dir, name: qaEu, from: "staging", environments: EXAMPLES });
    expect(result.placeholders.map((entry) => entry.path)).toEqual(["network.cidr", "amiWatch.emails.0", "alerts.emails.0", "ciDeploy.subjects.0"]);
    const text = fs.readFileSync(path.join(dir, result.file), "utf8");
    expect(text).toContain(`AMI reports of ${qaEu}`);
    expect(text).toContain(`alerts of ${qaEu}`);
    expect(text).toContain(`export const ${constName(qaEu)}: EnvironmentInput`);
    expect(fs.readFileSync(path.join(dir, result.index), "utf8")).toContain(`"${qaEu}": ${constName(qaEu)}`);
  });

  const header = 'import type { EnvironmentInput } from "../config";\n';
  const listed = "export const ENVIRONMENTS: Readonly<Record<string, EnvironmentInput>> = ";
  test.each<[string, string, string]>([
    ["a key naming the const", "team-production", `${header}import { teamProduction } from "./team-production";\n\n${listed}{ production: teamProduction };\n`],
    ["a quoted key", "team-production", `${header}import { teamProduction } from "./team-production";\n\n${listed}{ "production": teamProduction };\n`],
    ["a single-quoted key and path", "team-production", `${header}import { teamProduction } from './team-production';\n\n${listed}{ 'production': teamProduction };\n`],
    ["an import alias", "team-production", `${header}import { teamProduction as tp } from "./team-production";\n\n${listed}{ production: tp };\n`],
    ["several names in one import, over lines", "team-production", `${header}import {\n  teamProduction,\n  teamStaging,\n} from "./team-production"\n\n${listed}{\n  // ours\n  production: teamProduction,\n  staging: teamStaging,\n};\n`],
    ["a file in a folder", "team/production", `${header}import { teamProduction } from "./team/production";\n\n${listed}{ production: teamProduction };\n`],
  ])("copies the file the registry imports the source from (%s): a team's production need not be production.ts", (_case, file, registry) => {
    // GIVEN production registered from a team's own file (the example's production.ts left beside it)
    const dir = copyOfProject();
    const environments = path.join(dir, "stacks/environments");
    for (const entry of fs.readdirSync(environments)) if (!["production.ts", "staging.ts"].includes(entry)) fs.rmSync(path.join(environments, entry));
    const example = fs.readFileSync(path.join(environments, "production.ts"), "utf8");
    fs.mkdirSync(path.dirname(path.join(environments, `${file}.ts`)), { recursive: true });
    fs.writeFileSync(path.join(environments, `${file}.ts`), `// the team's production\n${example.replace("export const production:", "export const teamProduction:")}`);
    fs.writeFileSync(path.join(environments, "index.ts"), registry);

    // WHEN
    const name = unregisteredName("copy");
    const result = scaffoldEnvironment({ root: dir, name, from: "production", environments: { production: EXAMPLES.production } });

    // THEN the new file is a copy of the team's file
    const text = fs.readFileSync(path.join(dir, result.file), "utf8");
    expect(text.startsWith("// the team's production\n")).toBe(true);
    expect(text).toContain(`export const ${constName(name)}: EnvironmentInput = {`);
  });

  test("a registry that names the source but imports it in a way new-env cannot read is an error, not a copy of another file", () => {
    const dir = copyOfProject();
    fs.writeFileSync(path.join(dir, "stacks/environments/index.ts"), 'import type { EnvironmentInput } from "../config";\nimport * as team from "./team";\n\nexport const ENVIRONMENTS: Readonly<Record<string, EnvironmentInput>> = { production: teamProduction };\nconst teamProduction = team.production;\n');
    expect(() => scaffoldEnvironment({ root: dir, name: unregisteredName("copy"), from: "production", environments: { production: EXAMPLES.production } })).toThrow(
      'cannot tell which file stacks/environments/index.ts imports environment "production" (teamProduction) from; copy it by hand',
    );
  });

  const [first] = REGISTERED;
  test.each<[string, string, string, RegExp]>([
    ["an existing name", first, first, new RegExp(`environment "${first}" exists already`)],
    ["a name with capitals", "QA", first, /must be lowercase letters/],
    ["a name too long", "quality-assurance", first, /at most 12 characters/],
    ["two hyphens in a row (a--b would give `a-B`)", "a--b", first, /must not hold two hyphens in a row \(write "a-b"\)/],
    ["a name of every object", "constructor", first, /"constructor" is a name every JavaScript object has/],
    ["an unknown source", unregisteredName("qa"), unregisteredName("prod"), new RegExp(`--from: unknown environment "${unregisteredName("prod")}"; known: ${REGISTERED.join(", ")}$`)],
  ])("refuses %s as bad input (exit 2), writing nothing", (_case, name, from, message) => {
    expect(scaffoldRefusal({ name, from })).toMatch(message);
  });

  // Names with a digit after a hyphen, none of them registered (a team may have qa-1 already).
  const base = ["qa", "uat", "zz", "yy"].find((candidate) => [`${candidate}-1`, `${candidate}1`, `${candidate}-2y`, `${candidate}2y`].every((name) => unregisteredName(name) === name))!;
  test.each<[string, string, string]>([
    [`${base}-1`, `${base}1`, `${base}1`],
    [`${base}1`, `${base}-1`, `${base}1`],
    [`${base}-2y`, `${base}2y`, `${base}2y`],
  ])("refuses %s when %s is registered: both would export %s", (name, registered, identifier) => {
    const message = scaffoldRefusal({ name, from: first, extra: registered });
    expect(message).toBe(`environment name "${name}" would be exported as \`${identifier}\`, which environment "${registered}" already uses; pick a name that differs after camel-casing`);
  });

  test.each<[string, string]>([
    ["eval", "evalEnv"],
    ["arguments", "argumentsEnv"],
    ["delete", "deleteEnv"],
    ["undefined", "undefinedEnv"],
    ["qa-1", "qa1"],
    ["new-2x", "new2x"],
  ])("%s is exported as %s, which strict-mode TypeScript accepts", (name, identifier) => {
    expect(constName(name)).toBe(identifier);
    // A module body is strict: this compiles only if the identifier may be declared there.
    expect(() => new Function(`"use strict"; const ${identifier} = 1; return ${identifier};`)).not.toThrow();
  });

  test("the command: --help exits 0, bad input 2, and a run in a copy of the project writes the file (never the real tree)", { timeout: 60_000 }, () => {
    // GIVEN a copy of the project with its dependencies linked
    const dir = copyOfProject(["stacks", "modules", "environment-scaffold", "change-safety"]);
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "environment-scaffold/main.ts", ...args], { cwd: dir, encoding: "utf8" });

    // WHEN / THEN
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: npm run new-env -- <name> --from <existing>");
    const bad = run(qa);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("give one environment name and --from <existing>");
    const made = run(qa, "--from", first, "--json");
    expect(made.status).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ file: `stacks/environments/${qa}.ts`, index: "stacks/environments/index.ts" });
    expect(made.stderr).toContain("placeholder(s) to fill");
    const advice = scaffoldAdvice(ENVIRONMENTS[first]);
    expect(JSON.parse(made.stdout).advice).toEqual(advice);
    for (const entry of advice) expect(made.stderr).toContain(`new-env: recommended: ${entry.path}: ${entry.advice}`);
    expect(made.stderr).toMatch(/next:\n  1\. fill in the \d+ FILL-ME placeholder\(s\)[\s\S]*npm run lock:update[\s\S]*  4\. npm test\n$/);
    expect(fs.readFileSync(path.join(dir, `stacks/environments/${qa}.ts`), "utf8")).toContain(PLACEHOLDER_PREFIX);
    expect(fs.existsSync(path.join(root, `stacks/environments/${qa}.ts`))).toBe(false);
  });
});
