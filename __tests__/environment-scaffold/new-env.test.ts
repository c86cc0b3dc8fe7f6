import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ConfigError, parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { PLACEHOLDER_PREFIX } from "../../stacks/config/placeholders";
import { constName, ScaffoldError, scaffoldAdvice, scaffoldEnvironment } from "../../environment-scaffold/scaffold";

const root = path.resolve(__dirname, "../..");

/** A temporary copy of what new-env reads and writes (never the real tree). */
function copyOfProject(parts: readonly string[] = ["stacks/environments"]): string {
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

/** Fills every placeholder with a value of the right shape, as a user would. */
function fill(text: string): string {
  const values: Array<[RegExp, string]> = [
    [/account id/, "210987654321"],
    [/CIDR \(\/16/, "10.30.0.0/16"],
    [/host name of service (\S+) in/, "$1.qa.example.com"],
    [/e-mail/, "qa-team@example.com"],
    [/names a host/, "http://api.qa.example.com/internal/refresh-feeds?batch=100"],
    [/hosted zone/, "Z9876543210ZYXWVUTSRQ"],
    [/domain of/, "api.qa.example.com"],
    [/another domain/, "admin.qa.example.com"],
    [/VPC id/, "vpc-0f0e0d0c0b0a09080"],
    [/public subnet/, "subnet-0f0e0d0c0b0a0PUB"],
    [/instance subnet/, "subnet-0f0e0d0c0b0a0INS"],
    [/secret (\S+) in/, "arn:aws:ssm:eu-west-1:210987654321:parameter/acme-api/qa/$1"],
    [/OIDC subject/, "repo:acme/acme-api:environment:qa"],
  ];
  let counter = 0;
  return text.replace(/"FILL-ME: ([^"]*)"/g, (_match, what: string) => {
    const found = values.find(([pattern]) => pattern.test(what));
    if (!found) throw new Error(`no test value for placeholder: ${what}`);
    counter += 1;
    const value = found[1].replace("$1", what.match(found[0])?.[1] ?? "");
    // Subnets need distinct valid ids.
    return JSON.stringify(value.replace(/PUB|INS/, (kind) => `${kind === "PUB" ? "a" : "b"}${counter.toString(16).padStart(2, "0")}`));
  });
}

describe("npm run new-env", () => {
  test.each(["staging", "production"])("GIVEN a copy from %s THEN it is registered, keeps no value that must differ, and is refused until every placeholder is filled", async (from) => {
    // GIVEN a temporary copy of the environments
    const dir = copyOfProject();

    // WHEN
    const result = scaffoldEnvironment({ root: dir, name: "qa", from, environments: ENVIRONMENTS });

    // THEN the file exists and is listed
    const file = path.join(dir, result.file);
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain('environment: "qa"');
    expect(text).toContain("export const qa: EnvironmentInput = {");
    const registry = fs.readFileSync(path.join(dir, "stacks/environments/index.ts"), "utf8");
    expect(registry).toContain('import { qa } from "./qa";');
    expect(registry).toMatch(/= \{ staging, production, qa \};/);
    // no host, e-mail, account id or CIDR of the source survives
    const source = JSON.stringify(ENVIRONMENTS[from]);
    const mustDiffer = [...source.matchAll(/"([a-z0-9.-]+\.example\.com|[\w.-]+@example\.com|\d{12}|10\.\d+\.0\.0\/16)"/g)].map((match) => match[1]);
    expect(mustDiffer.length).toBeGreaterThan(0);
    for (const value of mustDiffer) expect(text.includes(`"${value}"`), `${value} was carried over`).toBe(false);

    // and validation names each placeholder and what to fill in
    const problems = problemsOf(await load(file, "qa"));
    expect(problems.length).toBe(result.placeholders.length);
    for (const problem of problems) expect(problem).toMatch(/^\S+: placeholder left by new-env: fill in .+ \(was .+\)$/);

    // WHEN every placeholder is filled THEN the environment is valid
    const filled = path.join(dir, "stacks/environments/qa-filled.ts");
    fs.writeFileSync(filled, fill(text));
    expect(problemsOf(await load(filled, "qa"))).toEqual([]);
  });

  test.each(Object.entries(ENVIRONMENTS).map(([name, env]) => [name, env.capacity.mode] as const))(
    "GIVEN a copy from %s (%s) THEN it is pointed at capacity providers exactly when the source runs on Spot Fleet, a legacy API",
    (from, mode) => {
      const result = scaffoldEnvironment({ root: copyOfProject(), name: "qa", from, environments: ENVIRONMENTS });

      expect(result.advice).toEqual(
        mode === "spot-fleet" ? [{ path: "capacity.mode", advice: expect.stringMatching(/legacy API.*prefer "capacity-providers".*docs\/spot\.md/) }] : [],
      );
      expect(result.advice).toEqual(scaffoldAdvice(ENVIRONMENTS[from]));
    },
  );

  test("names list items by their name and gives one address used twice a placeholder per use", () => {
    const fromProduction = scaffoldEnvironment({ root: copyOfProject(), name: "qa-us", from: "production", environments: ENVIRONMENTS });
    expect(fromProduction.placeholders.map((entry) => entry.path)).toEqual(expect.arrayContaining(["services[api].hostHeaders.0", "services[admin].hostHeaders.0"]));
    const dir = copyOfProject();
    const result = scaffoldEnvironment({ root: dir, name: "qa-eu", from: "staging", environments: ENVIRONMENTS });
    expect(result.placeholders.map((entry) => entry.path)).toEqual(["network.cidr", "amiWatch.emails.0", "alerts.emails.0", "ciDeploy.subjects.0"]);
    const text = fs.readFileSync(path.join(dir, result.file), "utf8");
    expect(text).toContain("AMI reports of qa-eu");
    expect(text).toContain("alerts of qa-eu");
    expect(text).toContain("export const qaEu: EnvironmentInput");
    expect(fs.readFileSync(path.join(dir, result.index), "utf8")).toContain('"qa-eu": qaEu');
  });

  test.each<[string, string, string, RegExp]>([
    ["an existing name", "production", "staging", /environment "production" exists already/],
    ["a name with capitals", "QA", "staging", /must be lowercase letters/],
    ["a name too long", "quality-assurance", "staging", /at most 12 characters/],
    ["an unknown source", "qa", "prod", /--from: unknown environment "prod"; known: staging, production/],
  ])("refuses %s as bad input (exit 2), writing nothing", (_case, name, from, message) => {
    const dir = copyOfProject();
    const before = fs.readFileSync(path.join(dir, "stacks/environments/index.ts"), "utf8");
    let error: unknown;
    try {
      scaffoldEnvironment({ root: dir, name, from, environments: ENVIRONMENTS });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScaffoldError);
    expect((error as ScaffoldError).exitCode).toBe(2);
    expect((error as ScaffoldError).message).toMatch(message);
    expect(fs.readdirSync(path.join(dir, "stacks/environments")).sort()).toEqual(["index.ts", "production.ts", "staging.ts"]);
    expect(fs.readFileSync(path.join(dir, "stacks/environments/index.ts"), "utf8")).toBe(before);
  });

  test("the command: --help exits 0, bad input 2, and a run in a copy of the project writes the file (never the real tree)", () => {
    // GIVEN a copy of the project with its dependencies linked
    const dir = copyOfProject(["stacks", "modules", "environment-scaffold"]);
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "environment-scaffold/main.ts", ...args], { cwd: dir, encoding: "utf8" });

    // WHEN / THEN
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: npm run new-env -- <name> --from <existing>");
    const bad = run("qa");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("give one environment name and --from <existing>");
    const made = run("qa", "--from", "staging", "--json");
    expect(made.status).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ file: "stacks/environments/qa.ts", index: "stacks/environments/index.ts" });
    expect(made.stderr).toContain("placeholder(s) to fill");
    const advice = scaffoldAdvice(ENVIRONMENTS.staging);
    expect(JSON.parse(made.stdout).advice).toEqual(advice);
    for (const entry of advice) expect(made.stderr).toContain(`new-env: recommended: ${entry.path}: ${entry.advice}`);
    expect(fs.readFileSync(path.join(dir, "stacks/environments/qa.ts"), "utf8")).toContain(PLACEHOLDER_PREFIX);
    expect(fs.existsSync(path.join(root, "stacks/environments/qa.ts"))).toBe(false);
  });
});
