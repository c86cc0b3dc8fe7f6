import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { environmentTargets, loadEnvironment } from "../../release/targets";
import { ENVIRONMENTS } from "../../stacks/environments";
import { REGISTERED } from "../support/new-environments";

const root = path.resolve(__dirname, "../..");
const CDKTF_MODULE = /node_modules[\\/](cdktf|@cdktf[\\/]provider-aws|constructs)[\\/]/;

interface Request {
  readonly target: string;
  readonly wallMilliseconds: number;
  /** CPU time the CLI process had used when its request arrived (from /proc): independent of how loaded the machine is. */
  readonly cpuSeconds: number | undefined;
}

/**
 * Runs `node scripts/release.mjs …` (what `npm run release` runs) against a local endpoint
 * (AWS_ENDPOINT_URL), recording every request it makes and every module it loaded.
 */
interface Endpoint {
  /** The JSON body answering an ECS call (its X-Amz-Target without the service prefix). */
  readonly respond?: (operation: string) => unknown;
  /** Told about each call, with the CLI's process (e.g. to signal it). */
  readonly onRequest?: (operation: string, process: ReturnType<typeof spawn>) => void;
}

/** A registered environment and its first service: the bundled CLI reads the registry. */
const [ENVIRONMENT] = REGISTERED;
const SERVICES = environmentTargets(loadEnvironment(ENVIRONMENTS, ENVIRONMENT)).filter((target) => target.kind === "service");
const [SERVICE] = SERVICES;
const arn = (resource: string) => `arn:aws:ecs:${SERVICE.region}:123456789012:${resource}`;
const MISSING_SERVICE = { services: [], failures: SERVICES.map((target) => ({ arn: arn(`service/${target.cluster}/${target.service}`), reason: "MISSING" })) };

async function runReleaseProcess(
  args: string[],
  endpoint: Endpoint = {},
): Promise<{ code: number | null; requests: Request[]; modules: string[]; stderr: string; stdout: string; exitedAtMilliseconds: number }> {
  const requests: Request[] = [];
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "release-startup-"));
  const modulesFile = path.join(directory, "modules.json");
  const hook = path.join(directory, "report-modules.cjs");
  fs.writeFileSync(hook, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(modulesFile)}, JSON.stringify(Object.keys(require.cache))));\n`);
  const child: { started: number; pid?: number } = { started: 0 };
  const server = http.createServer((request, response) => {
    let cpuSeconds: number | undefined;
    try {
      const fields = fs.readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
      cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      cpuSeconds = undefined;
    }
    const target = String(request.headers["x-amz-target"]);
    requests.push({ target, wallMilliseconds: performance.now() - child.started, cpuSeconds });
    request.resume();
    const operation = target.split(".").pop() as string;
    response.setHeader("content-type", "application/x-amz-json-1.1");
    response.end(JSON.stringify(endpoint.respond ? endpoint.respond(operation) : MISSING_SERVICE));
    endpoint.onRequest?.(operation, process_);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const env = {
    PATH: process.env.PATH,
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    NODE_OPTIONS: `--require ${hook}`,
  };
  child.started = performance.now();
  const process_ = spawn(process.execPath, [path.join(root, "scripts/release.mjs"), ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  child.pid = process_.pid;
  let stderr = "";
  let stdout = "";
  process_.stderr.on("data", (chunk) => (stderr += String(chunk)));
  process_.stdout.on("data", (chunk) => (stdout += String(chunk)));
  const code = await new Promise<number | null>((resolve) => process_.on("exit", resolve));
  const exitedAtMilliseconds = performance.now() - child.started;
  server.close();
  const modules = fs.existsSync(modulesFile) ? (JSON.parse(fs.readFileSync(modulesFile, "utf8")) as string[]) : [];
  fs.rmSync(directory, { recursive: true, force: true });
  return { code, requests, modules, stderr, stdout, exitedAtMilliseconds };
}

describe("the release command starts fast and loads no cdktf", () => {
  let run: Awaited<ReturnType<typeof runReleaseProcess>>;
  beforeAll(async () => {
    // Builds .build/release.cjs if needed, so the measured run starts from the cached bundle like every run but the first.
    await runReleaseProcess(["--help"]);
    run = await runReleaseProcess(["status", ENVIRONMENT]);
  }, 60_000);
  afterAll(() => {
    const first = run.requests[0];
    if (first) console.info(`release status ${ENVIRONMENT}: first AWS call after ${Math.round(first.wallMilliseconds)} ms wall, ${first.cpuSeconds ?? "?"} s CPU`);
  });

  test("its first AWS call is DescribeServices on the environment's cluster, within 1 s of CPU time", () => {
    expect(run.requests[0]?.target).toBe("AmazonEC2ContainerServiceV20141113.DescribeServices");
    // CPU time is what the tool controls; wall time on a shared 2-core machine also measures the neighbours.
    // Without /proc (macOS) only wall time can be read, with room for a busy machine.
    const { cpuSeconds, wallMilliseconds } = run.requests[0];
    if (cpuSeconds !== undefined) expect(cpuSeconds).toBeLessThan(1);
    expect(wallMilliseconds).toBeLessThan(cpuSeconds !== undefined ? 10_000 : 3_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`not found in cluster ${SERVICE.cluster}: ${SERVICE.service}`);
  });

  test("neither cdktf nor the provider bindings nor constructs are loaded", () => {
    expect(run.modules.length).toBeGreaterThan(10);
    expect(run.modules.some((file) => file.includes(`${path.sep}@aws-sdk${path.sep}client-ecs${path.sep}`))).toBe(true);
    expect(run.modules.filter((file) => CDKTF_MODULE.test(file))).toEqual([]);
  });

  test("bad input exits 2 before any request", async () => {
    const bad = await runReleaseProcess(["deploy", ENVIRONMENT, SERVICE.name, "--image", "not a reference"]);
    expect(bad.code).toBe(2);
    expect(bad.requests).toEqual([]);
    expect(bad.stderr).toContain('malformed image reference "not a reference"');
  }, 30_000);
});

describe("signals (a cancelled CI job)", () => {
  const TASK = arn(`task/${SERVICE.cluster}/0123456789abcdef0123456789abcdef`);
  const REVISION = arn(`task-definition/${SERVICE.family}:3`);
  const answers: Record<string, unknown> = {
    DescribeServices: {
      services: [{ serviceName: SERVICE.service, status: "ACTIVE", deployments: [{ id: "ecs-svc/1", status: "PRIMARY", taskDefinition: REVISION, rolloutState: "COMPLETED" }], launchType: "EC2" }],
    },
    DescribeTaskDefinition: { taskDefinition: { taskDefinitionArn: REVISION, family: SERVICE.family, containerDefinitions: [{ name: SERVICE.container, image: "nginx:1" }] } },
    RunTask: { tasks: [{ taskArn: TASK, lastStatus: "PROVISIONING" }], failures: [] },
    DescribeTasks: { tasks: [{ taskArn: TASK, lastStatus: "RUNNING", containers: [{ name: SERVICE.container, lastStatus: "RUNNING" }] }] },
    StopTask: { task: { taskArn: TASK, lastStatus: "RUNNING", desiredStatus: "STOPPED" } },
  };

  test("SIGTERM while a run waits for its task: the task is stopped, the result is printed as JSON, the exit code is 1, at once", async () => {
    const signal = "SIGTERM";
    // Sent as RunTask answers: the signal arrives while the command waits for its first poll (3 s away).
    const run = await runReleaseProcess(["run", ENVIRONMENT, SERVICE.name, "--json", "--", "node", "migrate.js"], {
      respond: (operation) => answers[operation] ?? {},
      onRequest: (operation, child) => {
        if (operation === "RunTask") child.kill(signal);
      },
    });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "cancelled", command: "run", taskArn: TASK });
    expect(run.requests.map((request) => request.target.split(".").pop())).toContain("StopTask");
    expect(run.stderr).toContain(`${signal}: stopping and printing the result`);
    // No poll timer keeps it alive (the first poll is 3 s away): CI runners kill a job soon after SIGTERM.
    const signalledAt = run.requests.find((request) => request.target.endsWith(".RunTask"))?.wallMilliseconds ?? Number.NaN;
    expect(run.exitedAtMilliseconds - signalledAt).toBeLessThan(2_000);
  }, 30_000);
});
