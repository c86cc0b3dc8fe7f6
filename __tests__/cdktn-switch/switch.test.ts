import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { compareOutputs } from "../../cdktn-switch/compare-synth.mjs";
import { VERSIONS, isSwitched, rewriteCommand, rewriteKind, rewritePackageJson, rewriteSource } from "../../cdktn-switch/rewrite.mjs";
import { cdktnLockfile, lockMismatch, planSwitch } from "../../cdktn-switch/switch.mjs";

const root = path.resolve(__dirname, "../..");
const switchScript = path.join(root, "cdktn-switch", "switch.mjs");
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

const scratchDirs: string[] = [];
const scratch = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktn-switch-"));
  scratchDirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

// Any of these left in a rewritten source means the switch missed a reference to the old packages.
const OLD_PACKAGE_REFERENCE = /(?:\bfrom|\brequire\(|\bimport\(|\bmock\()\s*["']cdktf(?:\/[^"']*)?["']|@cdktf\\?\/provider-aws|npx\s+cdktf\s/;

describe("rewriteSource", () => {
  test.each([
    ['import { App } from "cdktf";', 'import { App } from "cdktn";'],
    ["import { Fn } from 'cdktf';", "import { Fn } from 'cdktn';"],
    ['const { Testing } = require("cdktf");', 'const { Testing } = require("cdktn");'],
    ['await import("cdktf/lib/testing")', 'await import("cdktn/lib/testing")'],
    ['vi.mock("cdktf")', 'vi.mock("cdktn")'],
    ['import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";', 'import { S3Bucket } from "@cdktn/provider-aws/lib/s3-bucket";'],
    ['{ name: "@cdktf/provider-aws", message: "e.g. @cdktf/provider-aws/lib/ecs-service" }', '{ name: "@cdktn/provider-aws", message: "e.g. @cdktn/provider-aws/lib/ecs-service" }'],
    ["/from\\s+[\"']@cdktf\\/provider-aws[\"']/", "/from\\s+[\"']@cdktn\\/provider-aws[\"']/"],
    ['["-e", "require(\'cdktf\')"]', '["-e", "require(\'cdktn\')"]'],
    ["npx cdktf synth", "npx cdktn synth"],
    ["npx --no-install cdktf deploy staging", "npx --no-install cdktn deploy staging"],
  ])("GIVEN %s WHEN rewritten THEN it names CDK Terrain", (before, after) => {
    expect(rewriteSource(before)).toBe(after);
  });

  test.each([
    ['"managed-by": "cdktf"'],
    ['path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out")'],
    ['fs.existsSync(path.join(dir, "cdktf.json"))'],
    ["`To roll the fleet: cdktf deploy ${stack}`"],
    ['import { z } from "zod"; // cdktf records a stack trace'],
  ])("GIVEN %s (not a package reference) WHEN rewritten THEN it is unchanged", (text) => {
    expect(rewriteSource(text)).toBe(text);
  });
});

describe("rewriteCommand", () => {
  test.each([
    ["cdktf synth", "cdktn synth"],
    ["rm -rf cdktf.out && cdktf deploy production", "rm -rf cdktf.out && cdktn deploy production"],
    ["npx cdktf synth", "npx cdktn synth"],
    ["echo '== cdktf.out'", "echo '== cdktf.out'"],
  ])("GIVEN the command %s THEN it becomes %s", (before, after) => {
    expect(rewriteCommand(before)).toBe(after);
  });
});

describe("rewritePackageJson", () => {
  const pkg = readJson(path.join(root, "package.json"));
  const switched = rewritePackageJson(pkg);

  test("THEN the cdktf packages are gone and the pinned CDK Terrain set is in", () => {
    for (const name of VERSIONS.replaces) {
      expect(switched.dependencies).not.toHaveProperty(name);
      expect(switched.devDependencies).not.toHaveProperty(name);
    }
    expect(switched.dependencies).toMatchObject(VERSIONS.dependencies);
    expect(switched.devDependencies).toMatchObject(VERSIONS.devDependencies);
    expect(switched.engines?.node).toBe(VERSIONS.engines.node);
    expect(Object.values(switched.scripts ?? {}).filter((command) => /(^|\s)cdktf\s+(synth|deploy|destroy|diff)\b/.test(command))).toEqual([]);
  });

  test("THEN every other dependency keeps its version", () => {
    for (const section of ["dependencies", "devDependencies"] as const) {
      for (const [name, version] of Object.entries(pkg[section] as Record<string, string>)) {
        if (VERSIONS.replaces.includes(name) || name in VERSIONS[section]) continue;
        expect(switched[section]?.[name], `${section}.${name}`).toBe(version);
      }
    }
  });

  test("THEN switching twice changes nothing more", () => {
    expect(rewritePackageJson(switched)).toEqual(switched);
  });
});

describe("the committed cdktn lockfile", () => {
  const lock = readJson(cdktnLockfile(root));

  test("fits this package.json once switched (else: npm run cdktn:update-lock)", () => {
    expect(lockMismatch(lock, rewritePackageJson(readJson(path.join(root, "package.json"))))).toBeUndefined();
  });

  test.each(Object.entries({ ...VERSIONS.dependencies, ...VERSIONS.devDependencies }))("pins %s at %s", (name, version) => {
    expect(lock.packages[`node_modules/${name}`]?.version).toBe(version);
  });

  test("holds none of the cdktf packages", () => {
    expect(Object.keys(lock.packages).filter((key) => /^node_modules\/(cdktf|cdktf-cli|@cdktf\/provider-aws)$/.test(key))).toEqual([]);
  });

  test("GIVEN a lockfile whose root lacks a dependency THEN the mismatch names it", () => {
    const stale = structuredClone(lock);
    delete stale.packages[""].devDependencies.vitest;
    expect(lockMismatch(stale, rewritePackageJson(readJson(path.join(root, "package.json"))))).toMatch(/devDependencies\.vitest/);
  });
});

// These hold before and after the switch (a switched checkout plans no writes), so a switched
// project's `npm test` keeps passing.
describe("this checkout as the switch leaves it (planned in memory, nothing written)", () => {
  const planned = new Map(planSwitch(root));
  const after = (file: string) => planned.get(file) ?? fs.readFileSync(path.join(root, file), "utf8");

  test("THEN package.json depends on CDK Terrain and its lockfile is the committed cdktn one", () => {
    expect(isSwitched(JSON.parse(after("package.json")))).toBe(true);
    expect(after("package-lock.json")).toBe(fs.readFileSync(cdktnLockfile(root), "utf8"));
  });

  test.each([
    [".ci/run", "npx cdktn synth"],
    ["eslint.config.mjs", 'name: "@cdktn/provider-aws"'],
    ["scripts/bench.mjs", "require('cdktn')"],
    ["__tests__/imports.test.ts", "@cdktn\\/provider-aws"],
  ])("THEN %s names %s", (file, expected) => {
    expect(after(file)).toContain(expected);
  });

  test("THEN no source, script or config file references the old packages", () => {
    const leftovers = gitFiles().filter((file) => rewriteKind(file) && OLD_PACKAGE_REFERENCE.test(after(file)));
    expect(leftovers).toEqual([]);
  });

  test("THEN docs are left alone (they describe both tool chains)", () => {
    expect(planned.has("README.md")).toBe(false);
  });
});

function gitFiles(): string[] {
  const run = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  return run.stdout.split("\n").filter((file) => file && fs.existsSync(path.join(root, file)));
}

/** A tiny cdktf project in a git repository, with a cdktn lockfile that fits it once switched. */
function fixtureProject(): string {
  const dir = scratch();
  const pkg = { name: "fixture", private: true, scripts: { synth: "cdktf synth" }, dependencies: { cdktf: "0.21.0", "@cdktf/provider-aws": "21.22.1", constructs: "10.4.5", zod: "4.0.0" }, devDependencies: { "cdktf-cli": "0.21.0" } };
  const switched = rewritePackageJson(pkg);
  const files: Record<string, string> = {
    "cdktf.json": "{}\n",
    "package.json": `${JSON.stringify(pkg, null, 2)}\n`,
    "package-lock.json": '{"lockfileVersion":3,"packages":{"":{}}}\n',
    "cdktn-switch/package-lock.json": `${JSON.stringify({ lockfileVersion: 3, packages: { "": { dependencies: switched.dependencies, devDependencies: switched.devDependencies } } })}\n`,
    "main.ts": 'import { App } from "cdktf";\nimport { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";\nconst tags = { "managed-by": "cdktf" };\n',
    "README.md": "Run `npx cdktf synth`.\n",
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  spawnSync("git", ["init", "-q"], { cwd: dir });
  return dir;
}

const runSwitch = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [switchScript, ...args], { cwd, encoding: "utf8" });

describe("npm run switch-to-cdktn", () => {
  test("GIVEN a cdktf checkout WHEN switched THEN sources, package.json and the lockfile change, docs and tags do not", () => {
    const dir = fixtureProject();
    const run = runSwitch(dir, "--json");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).changed.sort()).toEqual(["main.ts", "package-lock.json", "package.json"]);
    expect(run.stderr).toMatch(/Node\.js >= 22/);
    expect(fs.readFileSync(path.join(dir, "main.ts"), "utf8")).toBe('import { App } from "cdktn";\nimport { S3Bucket } from "@cdktn/provider-aws/lib/s3-bucket";\nconst tags = { "managed-by": "cdktf" };\n');
    expect(readJson(path.join(dir, "package.json")).scripts.synth).toBe("cdktn synth");
    expect(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")).toBe(fs.readFileSync(path.join(dir, "cdktn-switch/package-lock.json"), "utf8"));
    expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toBe("Run `npx cdktf synth`.\n");
  });

  test("GIVEN a switched checkout WHEN switched again THEN nothing changes and it says so", () => {
    const dir = fixtureProject();
    runSwitch(dir);
    const before = fs.readFileSync(path.join(dir, "main.ts"), "utf8");
    const again = runSwitch(dir, "--json");
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: [], alreadySwitched: true });
    expect(again.stderr).toMatch(/already on CDK Terrain/);
    expect(fs.readFileSync(path.join(dir, "main.ts"), "utf8")).toBe(before);
  });

  test("GIVEN --dry-run THEN it lists the changes and writes nothing", () => {
    const dir = fixtureProject();
    const run = runSwitch(dir, "--dry-run");
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/would change 3 files/);
    expect(fs.readFileSync(path.join(dir, "main.ts"), "utf8")).toContain('from "cdktf"');
  });

  test("GIVEN a lockfile that no longer fits THEN exit 1 naming the fix, and no file is written", () => {
    const dir = fixtureProject();
    fs.writeFileSync(path.join(dir, "cdktn-switch/package-lock.json"), '{"lockfileVersion":3,"packages":{"":{}}}\n');
    const run = runSwitch(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/dependencies\.@cdktn\/provider-aws .*npm run cdktn:update-lock/);
    expect(fs.readFileSync(path.join(dir, "main.ts"), "utf8")).toContain('from "cdktf"');
    expect(readJson(path.join(dir, "package.json")).dependencies).toHaveProperty("cdktf");
  });

  test.each([
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["extra"], /Unexpected argument 'extra'/],
  ])("GIVEN bad arguments %j THEN exit 2 with usage", (args, message) => {
    const run = runSwitch(fixtureProject(), ...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Usage: npm run switch-to-cdktn/);
  });

  test("GIVEN a directory that is not the project root THEN exit 2", () => {
    const run = runSwitch(scratch());
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/project root/);
  });

  test("--help prints usage on stdout and exits 0", () => {
    const run = runSwitch(scratch(), "--help");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Exit codes: 0 done/);
  });
});

describe("compare-synth", () => {
  /** Writes a minimal output directory: a manifest and one stack. */
  function outdir(stack: object, manifestVersion: string, asset = "zip-bytes"): string {
    const dir = scratch();
    fs.mkdirSync(path.join(dir, "stacks/staging/assets"), { recursive: true });
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ version: manifestVersion, stacks: { staging: {} } }));
    fs.writeFileSync(path.join(dir, "stacks/staging/cdk.tf.json"), JSON.stringify(stack));
    fs.writeFileSync(path.join(dir, "stacks/staging/assets/code.zip"), asset);
    return dir;
  }
  const stack = (source: string, version: string, stamp: string, extra: object = {}) => ({
    "//": { metadata: { version: stamp, stackName: "staging" } },
    terraform: { required_providers: { aws: { source, version } } },
    resource: { aws_s3_bucket: { logs: { bucket: "acme-logs", ...extra } } },
  });

  test("GIVEN only the provider source, provider version and tool stamps differ THEN they are the same", () => {
    expect(compareOutputs(outdir(stack("aws", "6.25.0", "0.21.0"), "0.21.0"), outdir(stack("hashicorp/aws", "6.64.0", "0.24.0"), "0.24.0"))).toEqual([]);
  });

  test.each([
    ["a changed attribute", stack("hashicorp/aws", "6.64.0", "0.24.0", { force_destroy: true }), "zip-bytes", ["stacks/staging/cdk.tf.json:resource.aws_s3_bucket.logs.force_destroy"]],
    ["a changed asset", stack("hashicorp/aws", "6.64.0", "0.24.0"), "other-bytes", ["stacks/staging/assets/code.zip: content differs"]],
  ])("GIVEN %s THEN the difference is named", (_what, cdktnStack, asset, expected) => {
    expect(compareOutputs(outdir(stack("aws", "6.25.0", "0.21.0"), "0.21.0"), outdir(cdktnStack, "0.24.0", asset))).toEqual(expected);
  });
});
