import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { describe, expect, test, vi } from "vitest";
import { spotPoolWarnings } from "../../stacks/spot-advice/advice";
import { ConfigError, parseEnvironmentConfig } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { PlatformStack } from "../../stacks/platform-stack";
import { synthesizeEnvironments } from "../../stacks/synthesize";
import { registryWarnings } from "../../stacks/container-registry";

const root = path.resolve(__dirname, "../..");
const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));

describe("synthesizeEnvironments", () => {
  test("writes cdk.tf.json for the selected environments only, with guardrails and validations passing", () => {
    // GIVEN
    const outdir = path.join(scratch(), "cdktf.out");

    // WHEN app.synth() runs (aspects, validations, error annotations all enforced)
    synthesizeEnvironments({ environments: ENVIRONMENTS, selected: ["staging"], outdir });

    // THEN
    expect(fs.readdirSync(path.join(outdir, "stacks"))).toEqual(["staging"]);
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "staging", "cdk.tf.json"), "utf8"));
    expect(json.provider.aws[0].region).toBe("eu-west-1");
    expect(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks).toHaveProperty("staging");
  });

  test("a bad environment anywhere writes nothing, even when another one is selected", () => {
    // GIVEN production is broken, staging is fine
    const outdir = path.join(scratch(), "cdktf.out");
    const environments = { ...ENVIRONMENTS, production: { ...ENVIRONMENTS.production, region: "moon-1" } };

    // WHEN / THEN
    expect(() => synthesizeEnvironments({ environments, selected: ["staging"], outdir })).toThrow(ConfigError);
    expect(() => synthesizeEnvironments({ environments, selected: ["staging"], outdir })).toThrow("region: must be an AWS region");
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual([]);
  });

  test("an environment registered under another stack name is refused", () => {
    const outdir = path.join(scratch(), "cdktf.out");
    expect(() => synthesizeEnvironments({ environments: { prod: ENVIRONMENTS.production }, selected: ["prod"], outdir })).toThrow(
      'environment "prod": its config says environment "production"',
    );
  });
});

/** Every file below `dir`, by relative path. */
function filesBelow(dir: string): Map<string, Buffer> {
  const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => fs.statSync(path.join(dir, file)).isFile());
  return new Map(files.sort().map((file) => [file, fs.readFileSync(path.join(dir, file))]));
}

describe("PlatformStack.prepareStack", () => {
  test("keeping only the backend of cdktf's preparation changes nothing: no environment's stack references another stack", () => {
    // GIVEN every environment synthesized in one app as the platform does, and with cdktf's own preparation
    // (which resolves every element to wire cross-stack references through outputs and remote state)
    const synthesize = () => {
      const outdir = path.join(scratch(), "cdktf.out");
      synthesizeEnvironments({ environments: ENVIRONMENTS, selected: Object.keys(ENVIRONMENTS), outdir });
      return filesBelow(outdir);
    };
    const platform = synthesize();
    const prepare = vi.spyOn(PlatformStack.prototype, "prepareStack").mockImplementation(function (this: PlatformStack) {
      TerraformStack.prototype.prepareStack.call(this);
    });
    let cdktf: Map<string, Buffer>;
    try {
      cdktf = synthesize();
      expect(prepare).toHaveBeenCalledTimes(Object.keys(ENVIRONMENTS).length);
    } finally {
      prepare.mockRestore();
    }

    // THEN the same files with the same bytes
    expect([...platform.keys()]).toEqual([...cdktf.keys()]);
    for (const [file, bytes] of cdktf) expect(platform.get(file)?.equals(bytes), `${file} differs`).toBe(true);
  });
});

describe("the cdktf app entry (scripts/app.mjs)", () => {
  test("synthesizes every environment into CDKTF_OUTDIR", () => {
    const outdir = path.join(scratch(), "out");
    execFileSync("node", ["scripts/app.mjs"], { cwd: root, stdio: "pipe", env: { ...process.env, CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS: "" } });
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
  });

  test("capturing no stack traces outside PLATFORM_DEBUG changes nothing in the output", () => {
    // GIVEN / WHEN the same synth with and without debugging
    const [fast, debug] = [{}, { PLATFORM_DEBUG: "1" }].map((extra) => {
      const outdir = path.join(scratch(), "out");
      execFileSync("node", ["scripts/app.mjs"], { cwd: root, env: { ...process.env, ...extra, CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS: "production" } });
      return fs.readFileSync(path.join(outdir, "stacks", "production", "cdk.tf.json"), "utf8");
    });

    // THEN
    expect(fast).toBe(debug);
  });

  test("needs no terraform binary (nor AWS credentials) to synthesize every environment", () => {
    // GIVEN a PATH that holds node and nothing else
    const bin = scratch();
    fs.symlinkSync(process.execPath, path.join(bin, "node"));
    const outdir = path.join(scratch(), "out");

    // WHEN
    const run = spawnSync(path.join(bin, "node"), ["scripts/app.mjs"], {
      cwd: root,
      encoding: "utf8",
      env: { PATH: bin, CDKTF_OUTDIR: outdir, HOME: os.tmpdir() },
    });

    // THEN nothing on stderr but each Spot pool advice and registry warning once (advice by design, see stacks/spot-advice/),
    // also recorded once in the manifest, where `cdktf synth` reads and prints it
    // (stacks may come in any order: compare the warnings as sorted lists)
    const warnings = Object.values(ENVIRONMENTS)
      .map((input) => parseEnvironmentConfig(input))
      .flatMap((config) => [...spotPoolWarnings(config), ...registryWarnings(config)])
      .sort();
    expect(run.stderr.split("\n").slice(0, -1).sort()).toEqual(warnings.map((warning) => `WARN ${warning}`));
    expect(run.stderr.endsWith("\n") || run.stderr === "").toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    const annotations = Object.values(manifest.stacks).flatMap((stack: any) => stack.annotations.map((annotation: any) => `${annotation.level} ${annotation.message}`));
    expect(annotations.sort()).toEqual(warnings.map((warning) => `@cdktf/warn ${warning}`));
    expect(run.status).toBe(0);
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
  });

  test("under the cdktf CLI (CDKTF_CONTEXT_JSON set) warnings are left to the CLI: nothing on stderr to show as [ERROR]", () => {
    const outdir = path.join(scratch(), "out");
    const run = spawnSync("node", ["scripts/app.mjs"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: "{}" } });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    expect(Object.values(manifest.stacks).flatMap((stack: any) => stack.annotations)).not.toEqual([]);
  });

  test("bad input exits non-zero with a message and no stack trace, writing nothing", () => {
    // GIVEN an unknown environment selection
    const outdir = path.join(scratch(), "out");

    // WHEN
    // (no environment can have this name: names are lowercase, so adding any environment keeps this test valid)
    const run = spawnSync("node", ["scripts/app.mjs"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS: "No_Such_Env" } });

    // THEN
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`synthesis failed: PLATFORM_ENVIRONMENTS: unknown environment(s) No_Such_Env; known: ${Object.keys(ENVIRONMENTS).join(", ")}\n`);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
