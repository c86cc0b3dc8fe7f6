import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { bundleLambda, zipSingleFile } from "../../../modules/operations/lambda-bundle";
import { NodejsFunction } from "../../../modules/operations/nodejs-function";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

const entry = path.resolve(__dirname, "../../../lambdas/spot-drainer/handler.ts");

describe("NodejsFunction", () => {
  test("deploys a bundled Node.js 22 arm64 function whose code hash is the bundle's", () => {
    // GIVEN / WHEN
    let bundleBytes = 0;
    const json = synthConstructs((scope) => {
      const fn = new NodejsFunction(scope, "drainer", {
        functionName: "acme-api-spot-drainer-staging",
        entry,
        description: "drains",
        environment: { CLUSTER_NAME: "acme" },
        timeoutSeconds: 100,
        reservedConcurrency: 5,
        logRetentionDays: 14,
      });
      bundleBytes = fn.bundleBytes;
    });

    // THEN
    const fn = soleResource(json, "aws_lambda_function");
    expect(fn).toMatchObject({
      function_name: "acme-api-spot-drainer-staging",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: 100,
      reserved_concurrent_executions: 5,
      environment: { variables: { CLUSTER_NAME: "acme" } },
      logging_config: { log_format: "JSON" },
    });
    expect(fn.source_code_hash).toBe(bundleLambda(entry, defaultCacheDir()).codeHash);
    expect(fn.filename).toMatch(/^assets\/.+\/bundle\.zip$/);
    expect(soleResource(json, "aws_cloudwatch_log_group")).toMatchObject({ name: "/aws/lambda/acme-api-spot-drainer-staging", retention_in_days: 14 });
    expect(bundleBytes).toBeGreaterThan(1000);
    expect(bundleBytes).toBeLessThan(1024 * 1024);
  });

  test.each<[string, { reservedConcurrency?: number; tracingMode?: "PassThrough" | "Active" }, number, string, boolean]>([
    ["defaults", {}, 1, "PassThrough", false],
    ["Active tracing and a larger reservation", { reservedConcurrency: 3, tracingMode: "Active" }, 3, "Active", true],
  ])("GIVEN %s WHEN synthesized THEN concurrency is reserved and the tracing mode set, with X-Ray writes only when Active", (_case, props, reserved, mode, xray) => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => {
      new NodejsFunction(scope, "fn", { functionName: "fn", entry, description: "d", logRetentionDays: 7, ...props });
    });
    // THEN
    const fn = soleResource(json, "aws_lambda_function");
    expect(fn.reserved_concurrent_executions).toBe(reserved);
    expect(fn.tracing_config).toEqual({ mode });
    const documents = Object.values(json.data?.aws_iam_policy_document ?? {}) as Array<{ statement?: Array<{ actions?: string[] }> }>;
    const actions = documents.flatMap((document) => (document.statement ?? []).flatMap((statement) => statement.actions ?? []));
    expect(actions.includes("xray:PutTraceSegments")).toBe(xray);
  });

  test("grants writing only to its own log group plus the given statements", () => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => {
      new NodejsFunction(scope, "fn", {
        functionName: "fn",
        entry,
        description: "d",
        logRetentionDays: 7,
        policyStatements: [{ actions: ["ecs:ListTasks"], resources: ["*"] }],
      });
    });

    // THEN
    const documents = Object.values(json.data?.aws_iam_policy_document ?? {}) as Array<{ statement: Array<Record<string, unknown>> }>;
    const statements = documents.flatMap((document) => document.statement);
    expect(statements).toContainEqual(expect.objectContaining({ actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [expect.stringMatching(/aws_cloudwatch_log_group\..+\.arn\}:\*$/)] }));
    expect(statements).toContainEqual(expect.objectContaining({ actions: ["ecs:ListTasks"] }));
    expect(resourcesOfType(json, "aws_iam_role_policy")).toHaveLength(1);
  });

  test("a rebuild of unchanged code gives the same hash, and a changed input a new one", () => {
    // GIVEN a handler in a scratch directory
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    const handler = path.join(dir, "fn", "handler.ts");
    fs.mkdirSync(path.dirname(handler));
    fs.writeFileSync(handler, "export const handler = async () => 'one';\n");

    // WHEN bundled into two separate caches
    const first = bundleLambda(handler, path.join(dir, "cache-a"));
    const second = bundleLambda(handler, path.join(dir, "cache-b"));

    // THEN the bytes are identical; the zip holds index.js with the code
    expect(second.codeHash).toBe(first.codeHash);
    expect(fs.readFileSync(second.zipPath).equals(fs.readFileSync(first.zipPath))).toBe(true);
    expect(unzipSingle(fs.readFileSync(first.zipPath))).toContain("one");
  });

  test("zipSingleFile writes a zip that inflates back to the content", () => {
    const content = Buffer.from("exports.handler = async () => 42;\n".repeat(50));
    const zip = zipSingleFile("index.js", content);
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(unzipSingle(zip)).toBe(content.toString());
  });
});

function defaultCacheDir(): string {
  return path.resolve(__dirname, "../../../.build/lambdas");
}

function unzipSingle(zip: Buffer): string {
  const nameLength = zip.readUInt16LE(26);
  const compressedSize = zip.readUInt32LE(18);
  const start = 30 + nameLength;
  return inflateRawSync(zip.subarray(start, start + compressedSize)).toString();
}
