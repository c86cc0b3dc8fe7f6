import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Fn, type IResolvable, Lazy, S3Backend, TerraformElement, Testing, TerraformOutput, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { filesBelow } from "../support/files";
import { spotPoolWarnings } from "../../stacks/spot-advice/advice";
import { ConfigError, parseEnvironmentConfig } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { StandaloneStack } from "../../stacks/standalone-stack";
import { runApp } from "../../stacks/app";
import { synthesizeEnvironments } from "../../stacks/synthesize";
import { registryWarnings } from "../../stacks/container-registry";
import { EXAMPLES } from "../support/examples";

const root = path.resolve(__dirname, "../..");
const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));

describe("synthesizeEnvironments", () => {
  test("writes cdk.tf.json for the selected environments only, with guardrails and validations passing", () => {
    // GIVEN
    const outdir = path.join(scratch(), "cdktf.out");

    // WHEN app.synth() runs (aspects, validations, error annotations all enforced)
    synthesizeEnvironments({ environments: EXAMPLES, selected: ["staging"], outdir });

    // THEN
    expect(fs.readdirSync(path.join(outdir, "stacks"))).toEqual(["staging"]);
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "staging", "cdk.tf.json"), "utf8"));
    expect(json.provider.aws[0].region).toBe("eu-west-1");
    expect(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks).toHaveProperty("staging");
  });

  test("a bad environment anywhere writes nothing, even when another one is selected", () => {
    // GIVEN production is broken, staging is fine
    const outdir = path.join(scratch(), "cdktf.out");
    const environments = { ...EXAMPLES, production: { ...EXAMPLES.production, region: "moon-1" } };

    // WHEN / THEN
    expect(() => synthesizeEnvironments({ environments, selected: ["staging"], outdir })).toThrow(ConfigError);
    expect(() => synthesizeEnvironments({ environments, selected: ["staging"], outdir })).toThrow("region: must be an AWS region");
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual([]);
  });

  test("an environment registered under another stack name is refused", () => {
    const outdir = path.join(scratch(), "cdktf.out");
    expect(() => synthesizeEnvironments({ environments: { prod: EXAMPLES.production }, selected: ["prod"], outdir })).toThrow(
      'environment "prod": its config says environment "production"',
    );
  });
});

/**
 * `node scripts/app.mjs` (cdktf.json's app) for every environment with a PATH that holds node and nothing else:
 * no terraform binary, no AWS credentials. Run once; the tests below read its output.
 */
let appRun: { status: number | null; stderr: string; outdir: string };
beforeAll(() => {
  const bin = scratch();
  fs.symlinkSync(process.execPath, path.join(bin, "node"));
  const outdir = path.join(scratch(), "out");
  const run = spawnSync(path.join(bin, "node"), ["scripts/app.mjs"], {
    cwd: root,
    encoding: "utf8",
    env: { PATH: bin, CDKTF_OUTDIR: outdir, HOME: os.tmpdir() },
  });
  appRun = { status: run.status, stderr: run.stderr, outdir };
}, 60_000);

describe("StandaloneStack: the platform's stacks skip cdktf's cross-stack passes", () => {
  test("with cdktf's own preparation and toTerraform every environment synthesizes to the same bytes: no stack references another", () => {
    // GIVEN every environment synthesized by the app (the platform's passes), and in one app with cdktf's own,
    // whose preparation resolves every element to wire cross-stack references through outputs and remote state
    // and whose toTerraform resolves the merged document once more
    const platform = filesBelow(appRun.outdir);
    const prepare = vi.spyOn(StandaloneStack.prototype, "prepareStack").mockImplementation(function (this: StandaloneStack) {
      TerraformStack.prototype.prepareStack.call(this);
    });
    const toTerraform = vi.spyOn(StandaloneStack.prototype, "toTerraform").mockImplementation(function (this: StandaloneStack) {
      return TerraformStack.prototype.toTerraform.call(this);
    });
    let cdktf: Map<string, Buffer>;
    try {
      const outdir = path.join(scratch(), "cdktf.out");
      synthesizeEnvironments({ environments: ENVIRONMENTS, selected: Object.keys(ENVIRONMENTS), outdir });
      cdktf = filesBelow(outdir);
      expect(prepare).toHaveBeenCalledTimes(Object.keys(ENVIRONMENTS).length);
      expect(toTerraform).toHaveBeenCalled();
    } finally {
      prepare.mockRestore();
      toTerraform.mockRestore();
    }

    // THEN the same files with the same bytes
    expect([...platform.keys()]).toEqual([...cdktf.keys()]);
    for (const [file, bytes] of cdktf) expect(platform.get(file)?.equals(bytes), `${file} differs`).toBe(true);
  });

  class Standalone extends StandaloneStack {}

  test.each<[string, Array<[string, (bucket: S3Bucket) => unknown]>]>([
    ["no overrides", []],
    ["a nested override", [["terraform.required_version", () => ">= 1.10"]]],
    ["overrides that replace a value, then nest below it", [["locals.a", () => "x"], ["locals.a.b", () => 1], ["locals.c", () => [1, 2]]]],
    ["an override holding a token", [["locals.bucket", (bucket) => bucket.bucket]]],
    ["an override of a list, appended", [["provider.aws", () => [{ alias: "us", region: "us-east-1" }]]]],
    ["an undefined override, which deletes", [["terraform.backend", () => undefined]]],
    ["a lazy override of a whole section, which replaces it", [["provider.aws", () => Lazy.anyValue({ produce: () => [{ region: "us-east-1" }] })]]],
    ["a lazy override that produces undefined", [["output", () => Lazy.anyValue({ produce: () => undefined })]]],
  ])("toTerraform with %s gives cdktf's document", (_, overrides) => {
    // GIVEN the same stack (a resource, a data source, an output, a reference, a backend) as a StandaloneStack and as cdktf's own
    const build = (stack: TerraformStack) => {
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new S3Backend(stack, { bucket: "state", key: "test.tfstate", region: "eu-west-1" });
      const bucket = new S3Bucket(stack, "bucket", { bucketPrefix: "logs-", tags: { a: "1" } });
      new DataAwsPartition(stack, "partition");
      new TerraformOutput(stack, "bucket_arn", { value: bucket.arn });
      for (const [path, value] of overrides) stack.addOverride(path, value(bucket));
      return stack;
    };
    const standalone = build(new Standalone(Testing.app(), "test"));
    const cdktf = build(new TerraformStack(Testing.app(), "test"));

    // THEN
    expect(JSON.stringify(standalone.toTerraform())).toBe(JSON.stringify(cdktf.toTerraform()));
  });

  /** An element whose synthesized fragment is `{ locals: { probe: value } }`: the value reaches resolve as it is. */
  class Probe extends TerraformElement {
    public constructor(scope: Construct, private readonly value: unknown) {
      super(scope, "probe");
    }
    public override toTerraform(): Record<string, unknown> {
      return { locals: { probe: this.value } };
    }
  }

  /** `value` (made for the stack and its bucket) synthesized by a StandaloneStack and by cdktf. */
  function bothWays(value: (bucket: S3Bucket, stack: TerraformStack) => unknown): Array<() => string> {
    return [new Standalone(Testing.app(), "test"), new TerraformStack(Testing.app(), "test")].map((stack) => {
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new Probe(stack, value(new S3Bucket(stack, "bucket", { bucketPrefix: "logs-" }), stack));
      return () => JSON.stringify(stack.toTerraform());
    });
  }

  /** A token of a class's own, whose fields are all plain values. */
  class Constant implements IResolvable {
    public readonly creationStack: string[] = [];
    public constructor(private readonly value: string) {}
    public resolve(): string {
      return this.value;
    }
  }

  const lazy = (produce: () => unknown) => Lazy.anyValue({ produce });
  /** `leaf` below `levels` nested objects; the probe's value is itself 2 levels deep in the element's fragment. */
  const deep = (levels: number, leaf: unknown): unknown => (levels === 0 ? leaf : { d: deep(levels - 1, leaf) });
  const LIMIT = 200 - 2;
  test.each<[string, (bucket: S3Bucket, stack: TerraformStack) => unknown]>([
    ["plain values of every kind", () => ({ name: "a", count: 3, on: true, off: null, when: new Date(0), nested: [{ deep: ["x", 1.5, -2] }] })],
    ["dates in arrays, which resolve keeps as dates", () => [new Date(0), { x: [{ when: new Date(1) }] }]],
    ["a tree as deep as cdktf's limit", () => deep(LIMIT, "x")],
    ["a tree as deep as cdktf's limit, its last levels from a lazy value", () => deep(LIMIT - 10, lazy(() => deep(10, "x")))],
    ["undefined in arrays and objects, which resolve drops", () => [1, undefined, { a: undefined, b: [undefined, "x"] }]],
    ["strings cdktf tests for encoded numbers that are none", () => ["1e5", "t3e+4", "-e-", "2.5E-3", "$${literal}", "${var.x}", "e+e"]],
    ["numbers at the edge of the token range", () => [1e287, -1e287, 1e300, -1e300, Number.MAX_VALUE, 0.1, -0]],
    ["a reference", (bucket) => ({ arn: bucket.arn, list: [bucket.bucket, "plain"] })],
    ["a reference inside a string", (bucket) => `arn:${bucket.bucket}/*`],
    ["a list token", () => Token.asList(lazy(() => ["a", "b"]))],
    ["a number token", () => ({ size: Token.asNumber(lazy(() => 3)), sizes: [Token.asNumber(lazy(() => 4)), 5] })],
    ["a number list token", () => Token.asNumberList(lazy(() => [1, 2]))],
    ["a number token inside a string", () => `size ${Token.asNumber(lazy(() => 3))}`],
    ["a string map token", () => ({ tags: Token.asStringMap(lazy(() => ({ a: "1" }))) })],
    ["a key holding a token", (bucket) => ({ [bucket.bucket]: "value" })],
    ["a function of Terraform's", (bucket) => Fn.join(",", [bucket.arn, "x"])],
    ["a lazy value that produces plain and tokenized values", (bucket) => lazy(() => ({ nested: [bucket.bucket, undefined, 1] }))],
    ["a plain object that is a resolvable", () => ({ resolve: () => ["resolved"] })],
    ["a resolvable class with plain fields", () => ({ nested: [new Constant("resolved")] })],
  ])("resolving %s gives cdktf's document", (_, value) => {
    const [standalone, cdktf] = bothWays(value);
    expect(standalone()).toBe(cdktf());
  });

  test.each<[string, (bucket: S3Bucket, stack: TerraformStack) => unknown]>([
    ["a function", () => ({ nested: [() => "x"] })],
    ["a resource", (bucket) => ({ nested: bucket })],
    ["a bare construct (whose tree is a cycle of plain fields)", (_, stack) => ({ nested: new Construct(stack, "bare") })],
    ["a cycle", () => {
      const cycle: Record<string, unknown> = { name: "a" };
      cycle.self = { cycle };
      return cycle;
    }],
    ["a map token's placeholder in a string", () => ({ nested: "String Map Token Value" })],
    ["a map token's placeholder in a number", () => ({ nested: [Token.NUMBER_MAP_TOKEN_VALUE] })],
    ["a list token with an element added", () => ({ all: [...Token.asList(lazy(() => ["a"])), "b"] })],
    ["an object that looks like a construct", () => ({ x: { _children: {}, _metadata: [] } })],
    ["a function in an array that holds a reference (the error names the path from the element)", (bucket) => ({ a: { list: [bucket.bucket, () => 1] } })],
    ["a function a lazy value produces", () => ({ a: { b: lazy(() => ({ f: () => 1 })) } })],
    ["a string one level below cdktf's limit", () => deep(LIMIT + 1, "x")],
    ["a tree below cdktf's limit, its last levels from a lazy value", () => deep(LIMIT - 10, lazy(() => deep(11, "x")))],
    ["a tree below cdktf's limit, its last levels in an array with a reference", (bucket) => deep(LIMIT - 10, [bucket.bucket, deep(10, "x")])],
  ])("resolving %s fails with cdktf's error", (_, value) => {
    const [standalone, cdktf] = bothWays(value);
    expect(errorOf(standalone)).toBe(errorOf(cdktf));
  });
});

/** The message `run` throws, with token numbers (which differ from stack to stack) left out. */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message.replace(/TOKEN\.\d+/g, "TOKEN.n");
  }
  throw new Error("expected an error");
}

describe("the cdktf app entry (scripts/app.mjs)", () => {
  test("synthesizes every environment into CDKTF_OUTDIR with no terraform binary (nor AWS credentials) on the PATH", () => {
    // THEN nothing on stderr but each Spot pool advice and registry warning once (advice by design, see stacks/spot-advice/),
    // also recorded once in the manifest, where `cdktf synth` reads and prints it
    // (stacks may come in any order: compare the warnings as sorted lists)
    const warnings = Object.values(ENVIRONMENTS)
      .map((input) => parseEnvironmentConfig(input))
      .flatMap((config) => [...spotPoolWarnings(config), ...registryWarnings(config)])
      .sort();
    expect(appRun.stderr.split("\n").slice(0, -1).sort()).toEqual(warnings.map((warning) => `WARN ${warning}`));
    expect(appRun.stderr.endsWith("\n") || appRun.stderr === "").toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(appRun.outdir, "manifest.json"), "utf8"));
    const annotations = Object.values(manifest.stacks).flatMap((stack: any) => stack.annotations.map((annotation: any) => `${annotation.level} ${annotation.message}`));
    expect(annotations.sort()).toEqual(warnings.map((warning) => `@cdktf/warn ${warning}`));
    expect(appRun.status).toBe(0);
    expect(fs.readdirSync(path.join(appRun.outdir, "stacks")).sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
  });

  test("its bundle is ASCII only, so V8 holds the 6 MB source it keeps for lazy compilation in one byte per character", () => {
    const bundle = fs.readFileSync(path.join(root, ".build", "app.cjs"), "utf8");
    expect(bundle.length).toBeGreaterThan(1_000_000);
    // A line listed here holds a non-ASCII character outside a comment line (scripts/app-bundle.mjs, asciiOnly).
    expect(bundle.split("\n").filter((line) => /[^\x00-\x7f]/.test(line))).toEqual([]);
  });

  test("capturing no stack traces outside PLATFORM_DEBUG changes nothing in the output", () => {
    // GIVEN / WHEN the same synth with debugging
    const outdir = path.join(scratch(), "out");
    const [environment] = Object.keys(ENVIRONMENTS);
    execFileSync("node", ["scripts/app.mjs"], { cwd: root, env: { ...process.env, PLATFORM_DEBUG: "1", CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS: environment } });
    const stack = (dir: string) => fs.readFileSync(path.join(dir, "stacks", environment, "cdk.tf.json"), "utf8");

    // THEN
    expect(stack(outdir)).toBe(stack(appRun.outdir));
  });

  test.each([
    ["run directly, it says each warning on stderr", {}, true],
    ["under the cdktf CLI (CDKTF_CONTEXT_JSON set), it leaves them to the CLI: nothing on stderr to show as [ERROR]", { CDKTF_CONTEXT_JSON: "{}" }, false],
  ])("GIVEN the examples' warnings WHEN the app runs %s, and records them in the manifest either way", (_case, env, onStderr) => {
    // GIVEN the shipped examples, whose staging has Spot pool advice (a team's registered environments may have none)
    const warnings = Object.values(EXAMPLES).flatMap((input) => [...spotPoolWarnings(parseEnvironmentConfig(input)), ...registryWarnings(parseEnvironmentConfig(input))]);
    expect(warnings.length).toBeGreaterThan(0);
    const outdir = path.join(scratch(), "out");
    let stderr = "";

    // WHEN
    const code = runApp(EXAMPLES, { ...env, CDKTF_OUTDIR: outdir }, (text) => (stderr += text));

    // THEN
    expect(code).toBe(0);
    expect(stderr.split("\n").filter(Boolean).sort()).toEqual(onStderr ? warnings.map((warning) => `WARN ${warning}`).sort() : []);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    expect(Object.values(manifest.stacks).flatMap((stack: any) => stack.annotations.map((entry: any) => entry.message)).sort()).toEqual([...warnings].sort());
  });

  test("under the cdktf CLI the app process writes nothing on stderr and every registered stack", () => {
    const outdir = path.join(scratch(), "out");
    const run = spawnSync("node", ["scripts/app.mjs"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: "{}" } });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks).sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
  });

  test("an environment file that does not build exits 1 with esbuild's error and no stack trace, writing nothing", () => {
    // GIVEN a copy of the app whose registry imports a file that is not there (a new environment not yet added)
    const dir = scratch();
    for (const part of ["main.ts", "scripts", "stacks", "modules", "lambdas", "instance-types", "spot-advisor", "package.json", "package-lock.json", "cdktf.json", "tsconfig.json"]) {
      fs.cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    const registry = path.join(dir, "stacks", "environments", "index.ts");
    fs.writeFileSync(registry, fs.readFileSync(registry, "utf8").replace(/^(import .*;)$/m, '$1\nimport { missing } from "./not-there";\nvoid missing;'));

    // WHEN
    const run = spawnSync("node", ["scripts/app.mjs"], { cwd: dir, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: path.join(dir, "out") } });

    // THEN
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Could not resolve "./not-there"');
    expect(run.stderr.endsWith("synthesis failed: the app does not build (1 error(s) above)\n")).toBe(true);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
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
