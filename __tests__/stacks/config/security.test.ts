import { describe, expect, test } from "vitest";
import { parseEnvironmentConfig } from "../../../stacks/config";
import * as security from "../../../stacks/config/security";
import { minimalInput, validationMessage } from "../../support/config";
import { EXAMPLES } from "../../support/examples";

const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ACL_ARN = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acme/a1b2c3d4-5678-90ab-cdef-0123456789ab";

describe("security config", () => {
  test("GIVEN no security settings WHEN parsed THEN the defaults are the secure, no-extra-cost ones", () => {
    // GIVEN / WHEN
    const config = parseEnvironmentConfig(minimalInput());
    // THEN
    expect(config.network).toMatchObject({
      flowLogs: { destination: "cloud-watch-logs", trafficType: "ALL", maxAggregationIntervalSeconds: 600 },
    });
    expect(config.logs.kmsKey).toBeUndefined();
    expect(config.loadBalancer.waf).toBeUndefined();
    expect(config.stepFunctions).toEqual({ logLevel: "ERROR", includeExecutionData: false, tracing: false });
    expect(config.lambdas).toEqual({ tracingMode: "PassThrough" });
    expect(config.services[0]).toMatchObject({ readonlyRootFilesystem: false, writablePaths: [] });
    expect(config.services[0].user).toBeUndefined();
  });

  test("GIVEN a created WAF without limits WHEN parsed THEN it blocks with a 2000-per-5-minutes rate limit", () => {
    const config = parseEnvironmentConfig({ ...minimalInput(), loadBalancer: { ...minimalInput().loadBalancer, waf: { mode: "create" } } });
    expect(config.loadBalancer.waf).toEqual({ mode: "create", rateLimitPerFiveMinutes: 2000, managedRulesAction: "block" });
  });

  test.each<[string, (input: any) => void, string]>([
    ["an s3 flow-log destination without a bucket", (input) => (input.network.flowLogs = { destination: "s3" }), "network.flowLogs.bucketArn: is required when destination is s3"],
    [
      "a bucket for the CloudWatch destination",
      (input) => (input.network.flowLogs = { bucketArn: "arn:aws:s3:::flow-logs" }),
      "network.flowLogs.bucketArn: only applies when destination is s3",
    ],
    ["a bucket name instead of its ARN", (input) => (input.network.flowLogs = { destination: "s3", bucketArn: "flow-logs" }), "network.flowLogs.bucketArn: must be an S3 bucket ARN"],
    ["an aggregation interval of 300 s", (input) => (input.network.flowLogs = { maxAggregationIntervalSeconds: 300 }), "network.flowLogs.maxAggregationIntervalSeconds: must be 60 or 600"],
    ["a key alias instead of a key ARN", (input) => (input.logs = { kmsKey: "alias/logs" }), 'logs.kmsKey: must be "create" or a KMS key ARN'],
    [
      "a key of another region",
      (input) => (input.logs = { kmsKey: KEY_ARN.replace("eu-west-1", "us-east-1") }),
      "logs.kmsKey: is in us-east-1, but CloudWatch Logs only uses keys of the log group's region (eu-west-1)",
    ],
    ["a web ACL ARN that is not one", (input) => (input.loadBalancer = { ...input.loadBalancer, waf: { mode: "existing", webAclArn: "acme-acl" } }), "loadBalancer.waf.webAclArn: must be a regional WAFv2 web ACL ARN"],
    [
      "a web ACL of another region",
      (input) => (input.loadBalancer = { ...input.loadBalancer, waf: { mode: "existing", webAclArn: ACL_ARN.replace("eu-west-1", "us-east-1") } }),
      "loadBalancer.waf.webAclArn: is in us-east-1; a load balancer can only use a web ACL of its own region (eu-west-1)",
    ],
    ["a rate limit below WAF's minimum", (input) => (input.loadBalancer = { ...input.loadBalancer, waf: { mode: "create", rateLimitPerFiveMinutes: 50 } }), "loadBalancer.waf.rateLimitPerFiveMinutes: must be >= 100"],
    ["a relative writable path", (input) => Object.assign(input.services[0], { readonlyRootFilesystem: true, writablePaths: ["tmp"] }), "services[api].writablePaths.0: must be an absolute path"],
    ["/ as a writable path", (input) => Object.assign(input.services[0], { readonlyRootFilesystem: true, writablePaths: ["/"] }), "services[api].writablePaths.0: must not be /"],
    [
      "a writable path with ..",
      (input) => Object.assign(input.services[0], { readonlyRootFilesystem: true, writablePaths: ["/var/../etc"] }),
      "services[api].writablePaths.0: must be a normalized path",
    ],
    ["a trailing slash", (input) => Object.assign(input.services[0], { readonlyRootFilesystem: true, writablePaths: ["/tmp/"] }), "services[api].writablePaths.0: must be a normalized path"],
    [
      "a duplicate writable path",
      (input) => Object.assign(input.services[0], { readonlyRootFilesystem: true, writablePaths: ["/tmp", "/var/run", "/tmp"] }),
      'services[api].writablePaths.2: duplicate writable path "/tmp"',
    ],
    [
      "writable paths on a writable root",
      (input) => Object.assign(input.services[0], { writablePaths: ["/tmp"] }),
      'services[api].writablePaths: service "api": only applies with readonlyRootFilesystem: true',
    ],
    ["a user with a space", (input) => Object.assign(input.services[0], { user: "app user" }), "services[api].user: must be a user, uid, user:group or uid:gid"],
    [
      "a read-only root on a job that runs a service",
      (input) => (input.scheduledTasks = [{ name: "ping", schedule: "rate(1 hour)", service: "api", readonlyRootFilesystem: true }]),
      "scheduledTasks[ping].readonlyRootFilesystem: job \"ping\": runs service \"api\"'s task definition",
    ],
    [
      "writable paths on a job with a writable root",
      (input) => (input.scheduledTasks = [{ name: "ping", schedule: "rate(1 hour)", image: "busybox", writablePaths: ["/tmp"] }]),
      'scheduledTasks[ping].writablePaths: job "ping": only applies with readonlyRootFilesystem: true',
    ],
    ["a Step Functions log level OFF", (input) => (input.stepFunctions = { logLevel: "OFF" }), "stepFunctions.logLevel:"],
    ["an unknown Lambda tracing mode", (input) => (input.lambdas = { tracingMode: "Sampled" }), "lambdas.tracingMode:"],
  ])("GIVEN %s WHEN parsed THEN the error names the field", (_case, change, expected) => {
    expect(validationMessage(minimalInput(), change)).toContain(expected);
  });

  test.each<[string, (input: any) => void]>([
    ["flow logs to an S3 bucket with a prefix", (input) => (input.network.flowLogs = { destination: "s3", bucketArn: "arn:aws:s3:::flow-logs/vpc" })],
    ["a platform-created logs key", (input) => (input.logs = { kmsKey: "create" })],
    ["an existing logs key of the region", (input) => (input.logs = { kmsKey: KEY_ARN })],
    ["an existing multi-Region logs key", (input) => (input.logs = { kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab" })],
    ["an existing web ACL of the region", (input) => (input.loadBalancer = { ...input.loadBalancer, waf: { mode: "existing", webAclArn: ACL_ARN } })],
    ["a read-only image job with scratch space", (input) => (input.scheduledTasks = [{ name: "ping", schedule: "rate(1 hour)", image: "busybox", readonlyRootFilesystem: true, writablePaths: ["/tmp"], user: "65534" }])],
  ])("GIVEN %s WHEN parsed THEN it is valid", (_case, change) => {
    expect(validationMessage(minimalInput(), change)).toBe("valid");
  });

  test("GIVEN the shipped production example WHEN parsed THEN it uses the logs key, WAF and read-only web services", () => {
    const config = parseEnvironmentConfig(EXAMPLES.production);
    expect(config.logs.kmsKey).toBe("create");
    expect(config.loadBalancer.waf).toMatchObject({ mode: "create", managedRulesAction: "block" });
    expect(config.services.filter((service) => service.kind === "web").every((service) => service.readonlyRootFilesystem)).toBe(true);
  });
});

/** Field paths under `schema` without a `.describe()` text (the config reference is generated from them). */
function undescribed(schema: any, path: string): string[] {
  const def = schema._zod.def;
  switch (def.type) {
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
      return undescribed(def.innerType, path);
    case "union":
      return (def.options as unknown[]).flatMap((option) => undescribed(option, path));
    case "object":
      return Object.entries(def.shape as Record<string, any>).flatMap(([key, field]) => [
        ...(field.description ? [] : [`${path}.${key}`]),
        ...undescribed(field, `${path}.${key}`),
      ]);
    default:
      return [];
  }
}

describe("security config descriptions", () => {
  test.each([
    ["network.flowLogs", security.flowLogsSchema()],
    ["logs.kmsKey", security.logsKmsKeySchema()],
    ["services[].readonlyRootFilesystem", security.readonlyRootFilesystemSchema()],
    ["services[].writablePaths", security.writablePathsSchema()],
    ["services[].user", security.containerUserSchema()],
    ["loadBalancer.waf", security.wafSchema()],
    ["stepFunctions", security.stepFunctionsSchema()],
    ["lambdas", security.lambdasSchema()],
  ])("GIVEN %s WHEN its schema is read THEN it and every field in it carry a description", (path, schema) => {
    expect(schema.description).toEqual(expect.any(String));
    expect(undescribed(schema, path)).toEqual([]);
  });
});
