import { ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { cancelOnSignals, main, parseInvocation } from "../../release/cli";
import { checkImageReference } from "../../release/targets";
import { IMAGE, runCli } from "./support";
import { EXAMPLES } from "../support/examples";

const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());
afterEach(() => ecs.reset());

describe("command line: bad input exits 2 and never reaches AWS", () => {
  test.each<[string, string[], string]>([
    ["no command", [], "missing command: deploy, rollback, run or status"],
    ["an unknown command", ["promote", "production", "api"], 'unknown command "promote"'],
    ["a missing environment", ["status"], "status: missing <environment>"],
    ["a missing service", ["deploy", "production", "--image", IMAGE], "deploy: missing <service>"],
    ["an unknown environment, listing the known ones", ["status", "prod"], `unknown environment "prod"; known environments: ${Object.keys(EXAMPLES).join(", ")}`],
    ["an unknown service, listing services and jobs", ["rollback", "staging", "web"], 'unknown service "web" in environment "staging"; services: api; jobs with their own image: smoke-check'],
    ["a job that runs a service's task definition", ["deploy", "production", "nightly-report", "--image", IMAGE], 'job "nightly-report" runs the task definition of service "api": deploy or run service "api" instead'],
    ["an image longer than ECS allows before @", ["deploy", "production", "api", "--image", `ghcr.io/acme/${"a".repeat(250)}:1@sha256:${"0".repeat(64)}`], `image reference "ghcr.io/acme/${"a".repeat(250)}:1@sha256:${"0".repeat(64)}" is 265 characters before "@": ECS allows at most 255`],
    ["an image reference with spaces", ["deploy", "production", "api", "--image", "acme api:1"], 'malformed image reference "acme api:1"'],
    ["an image reference with an uppercase repository", ["deploy", "production", "api", "--image", "ghcr.io/Acme/api:1"], "malformed image reference"],
    ["a truncated digest", ["deploy", "production", "api", "--image", "acme/api@sha256:abc"], "malformed image reference"],
    ["an empty image", ["deploy", "production", "api", "--image", ""], "malformed image reference"],
    ["a timeout of 0", ["deploy", "production", "api", "--image", IMAGE, "--timeout", "0"], "--timeout: must be a whole number of seconds between 1 and 86400"],
    ["a timeout that is not a number", ["rollback", "production", "api", "--timeout", "10m"], '--timeout: must be a whole number of seconds between 1 and 86400, got "10m"'],
    ["an unknown option", ["deploy", "production", "api", "--image", IMAGE, "--force"], "Unknown option '--force'"],
    ["an option without its value", ["deploy", "production", "api", "--image"], "Option '--image <value>' argument missing"],
    ["rollback with an image", ["rollback", "production", "api", "--image", IMAGE], "rollback: takes no --image"],
    ["status with a timeout", ["status", "production", "--timeout", "60"], "status: takes no --timeout"],
    ["an extra argument", ["status", "production", "api", "admin"], 'status: unexpected argument "admin"'],
    ["run without a command", ["run", "production", "api"], "run: missing the task's command after --"],
    ["run with an empty command", ["run", "production", "api", "--"], "run: missing the task's command after --"],
    ["a command after -- for deploy", ["deploy", "production", "api", "--image", IMAGE, "--", "echo"], "deploy: takes no command after --"],
  ])("%s", async (_case, argv, message) => {
    // WHEN
    const result = await runCli(argv);

    // THEN
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${message}`);
    expect(result.stderr).toContain('Run "npm run release -- --help" for usage.');
    expect(result.stdout).toBe("");
    expect(ecs.calls()).toHaveLength(0);
  });

  test("with --json, bad input is one JSON object on stdout too", async () => {
    const result = await runCli(["deploy", "production", "api", "--image", "bad image", "--json"]);
    expect(result.code).toBe(2);
    expect(result.json()).toEqual({ outcome: "bad-input", reason: expect.stringContaining('malformed image reference "bad image"') });
    expect(ecs.calls()).toHaveLength(0);
  });

  test("an invalid environment config is bad input too, naming the field", async () => {
    const err: string[] = [];
    const code = await main(["status", "broken"], {
      environments: { broken: { ...EXAMPLES.staging, environment: "broken", region: "europe" } },
      stdout: () => undefined,
      stderr: (text) => err.push(text),
      clock: { now: () => 0, sleep: async () => undefined },
      ecsClient: (region) => new ECSClient({ region }),
    });
    expect(code).toBe(2);
    expect(err.join("")).toContain("region: must be an AWS region");
    expect(ecs.calls()).toHaveLength(0);
  });

  test("--help prints the usage on stdout and exits 0", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: npm run release -- <command> <environment>");
    expect(result.stdout).toContain("Exit codes: 0 success; 1");
    expect(ecs.calls()).toHaveLength(0);
  });

  test("everything after -- is the task's command, options included", async () => {
    expect(parseInvocation(["run", "staging", "api", "--timeout", "300", "--", "node", "migrate.js", "--json", "--", "x"])).toMatchObject({
      command: "run",
      environment: "staging",
      name: "api",
      timeoutSeconds: 300,
      json: false,
      taskCommand: ["node", "migrate.js", "--json", "--", "x"],
    });
  });
});

describe("image references", () => {
  test.each([
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.5.0",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/acme-api@sha256:" + "a".repeat(64),
    "ghcr.io/acme/api:v1.2.3-rc.1",
    "localhost:5000/api:dev",
    "public.ecr.aws/nginx/nginx:1.27-alpine",
    "acme/api:1.0@sha256:" + "0123456789abcdef".repeat(4),
    // exactly the 255 characters ECS allows before the digest
    `ghcr.io/acme/${"a".repeat(240)}:1@sha256:${"0".repeat(64)}`,
  ])("accepts %s", (image) => {
    expect(checkImageReference(image)).toBe(image);
  });

  test("refuses 256 characters before @ with the length ECS allows", () => {
    expect(() => checkImageReference(`ghcr.io/acme/${"a".repeat(241)}:1`)).toThrow('is 256 characters before "@": ECS allows at most 255 (repository and tag)');
  });

  test.each([
    ["nginx", "has no tag (that means latest)"],
    ["localhost:5000/api", "has no tag (that means latest)"],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:latest", "has the mutable tag latest"],
  ])("refuses the mutable reference %s: a release names one build", (image, reason) => {
    expect(() => checkImageReference(image)).toThrow(`image "${image}" ${reason}: release a version tag or a digest`);
  });

  test.each(["acme/api:", "acme//api", "acme/api:-tag", ":1.0", "acme/api:" + "x".repeat(129), "https://ghcr.io/acme/api:1"])("refuses %s", (image) => {
    expect(() => checkImageReference(image)).toThrow("malformed image reference");
  });
});

describe("cancelOnSignals", () => {
  test.each(["SIGINT", "SIGTERM"] as const)("the first %s aborts the command's signal and says so; the second exits at once", (signal) => {
    // GIVEN a process-like source
    const listeners = new Map<string, () => void>();
    const written: string[] = [];
    const exits: number[] = [];
    const aborted = cancelOnSignals({
      on: (name, listener) => listeners.set(name, listener),
      exit: ((code: number) => exits.push(code)) as (code: number) => never,
      stderr: { write: (text: string) => written.push(text) },
    });
    expect([...listeners.keys()]).toEqual(["SIGINT", "SIGTERM"]);
    expect(aborted.aborted).toBe(false);

    // WHEN / THEN
    listeners.get(signal)?.();
    expect(aborted.aborted).toBe(true);
    expect(aborted.reason).toBe(signal);
    expect(written).toEqual([`${signal}: stopping and printing the result (send it again to quit at once)\n`]);
    expect(exits).toEqual([]);
    listeners.get(signal)?.();
    expect(exits).toEqual([1]);
  });
});
