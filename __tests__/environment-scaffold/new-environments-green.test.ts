import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { checkLock, lockEntries, lockProblems, parseLock, renderLock } from "../../change-safety/address-lock";
import { parseOptions } from "../../change-safety/diff-options";
import type { StackJson } from "../../change-safety/stack-json";
import { scaffoldEnvironment } from "../../environment-scaffold/scaffold";
import { runReportCli } from "../../spot-advisor/report-cli";
import { validateEnvironment, type EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { synthesizeEnvironments } from "../../stacks/synthesize";
import { fillPlaceholders, REGISTERED, unregisteredName } from "../support/new-environments";

const root = path.resolve(__dirname, "../..");

/**
 * What a team does first: `npm run new-env` twice with awkward names (a digit after a hyphen, a
 * reserved word), placeholders filled, then a service and a job added. The checks the suite runs on
 * every registered environment (config validation, the app's synth with its guardrails, the address
 * lock, the report and diff commands) then run on the new registry as they do on the shipped one.
 */
describe("new environments keep every environment-dependent check green", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-envs-"));
  for (const part of ["stacks/environments", "change-safety/addresses"]) fs.cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
  const lockDirectory = path.join(dir, "change-safety/addresses");
  const [first, second = first] = REGISTERED;
  const added = [
    { name: unregisteredName("qa-1"), from: first },
    { name: unregisteredName("delete"), from: second },
  ];

  /** The scaffolded registry, loaded from the copy as the tools load the real one. */
  async function scaffoldedRegistry(): Promise<Record<string, EnvironmentInput>> {
    let environments: Readonly<Record<string, EnvironmentInput>> = ENVIRONMENTS;
    for (const { name, from } of added) {
      const result = scaffoldEnvironment({ root: dir, name, from, environments });
      const file = path.join(dir, result.file);
      fs.writeFileSync(file, fillPlaceholders(fs.readFileSync(file, "utf8"), name));
      environments = { ...environments, [name]: { ...ENVIRONMENTS[from], environment: name } };
    }
    const module = (await import(path.join(dir, "stacks/environments/index.ts"))) as { ENVIRONMENTS: Record<string, EnvironmentInput> };
    return module.ENVIRONMENTS;
  }

  /** Synthesizes the registry as `npx cdktf synth` does and returns each stack's cdk.tf.json; throws what synth would refuse. */
  function synthesized(environments: Record<string, EnvironmentInput>, selected = Object.keys(environments)): Map<string, StackJson> {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "new-envs-out-")), "cdktf.out");
    synthesizeEnvironments({ environments, selected, outdir });
    const names = fs.readdirSync(path.join(outdir, "stacks"));
    return new Map(names.map((name) => [name, JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as StackJson]));
  }

  /** The lock check of address-lock.test.ts on the copy: an environment without a lock file yet locks nothing. */
  const problemsOfLocks = (stacks: Map<string, StackJson>): string[] =>
    [...stacks].flatMap(([name, stack]) => {
      const file = path.join(lockDirectory, `${name}.txt`);
      return lockProblems(name, checkLock(fs.existsSync(file) ? parseLock(fs.readFileSync(file, "utf8")) : [], stack));
    });

  /** What `npm run lock:update` writes for each stack (its own code: lockEntries and renderLock). */
  const updateLocks = (stacks: Map<string, StackJson>): void => {
    for (const [name, stack] of stacks) fs.writeFileSync(path.join(lockDirectory, `${name}.txt`), renderLock(name, lockEntries(stack)));
  };
  const lockUpdateOnly = (names: readonly string[]) =>
    names.map((name) => expect.stringMatching(new RegExp(`^${name}: \\d+ address\\(es\\) not in change-safety/addresses/${name}\\.txt yet .*: run \`npm run lock:update\` and commit the lock\\.$`)));

  test("GIVEN two scaffolded environments, filled in, THEN they validate and synthesize, the lock asks for lock:update only, and report and diff take them; so does a service and a job added", { timeout: 120_000 }, async () => {
    // GIVEN
    const registry = await scaffoldedRegistry();
    const names = added.map((entry) => entry.name);

    // THEN the registry lists them after the shipped ones, and each validates
    expect(Object.keys(registry)).toEqual([...REGISTERED, ...names]);
    for (const name of names) expect(validateEnvironment(registry[name]).config.environment).toBe(name);

    // and the whole registry synthesizes as `cdktf synth` does (guardrails and validations enforced)
    // (the shipped ones are validated with them; their stacks and locks are address-lock.test.ts's)
    const stacks = synthesized(registry, names);
    expect([...stacks.keys()].sort()).toEqual([...names].sort());
    // and the address lock check says exactly what to run for the new ones, nothing about the others
    expect(problemsOfLocks(stacks).sort()).toEqual(lockUpdateOnly([...names].sort()));
    // WHEN the locks are taken THEN every lock holds and there is one per environment
    updateLocks(stacks);
    expect(problemsOfLocks(stacks)).toEqual([]);
    const lockFiles = fs.readdirSync(lockDirectory).filter((file) => file.endsWith(".txt")).map((file) => file.slice(0, -4));
    expect(lockFiles.sort()).toEqual(Object.keys(registry).sort());

    // and the commands take the new names
    for (const name of names) {
      let stdout = "";
      expect(runReportCli([name, "--json"], { stdout: (text) => (stdout += text), stderr: () => undefined }, { environments: registry })).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ environment: name });
      expect(parseOptions([name], Object.keys(registry))).toMatchObject({ environments: [name] });
    }

    // WHEN a service and a job are added to the first new environment
    const [target] = names;
    const input = registry[target];
    const grown: Record<string, EnvironmentInput> = {
      ...registry,
      [target]: {
        ...input,
        services: [
          ...(input.services ?? []),
          { name: "orders", image: "public.ecr.aws/nginx/nginx:1.27", memory: 512, memoryReservation: 256, containerPort: 8080, pathPatterns: ["/orders/*"], listenerPriority: 100 },
        ],
        scheduledTasks: [...(input.scheduledTasks ?? []), { name: "orders-cleanup", schedule: "cron(0 3 * * ? *)", image: "public.ecr.aws/docker/library/busybox:1.37", command: ["true"] }],
      },
    };

    // THEN synth passes and the lock asks for lock:update only: nothing would be destroyed
    const grownStacks = synthesized(grown, [target]);
    expect(problemsOfLocks(grownStacks)).toEqual(lockUpdateOnly([target]));
    updateLocks(grownStacks);
    expect(problemsOfLocks(grownStacks)).toEqual([]);
  });
});
