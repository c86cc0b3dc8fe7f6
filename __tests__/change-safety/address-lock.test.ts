import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { Testing, TerraformStack, type TerraformResource } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { checkLock, lockEntries, lockProblems, parseLock, renderLock, type LockedAddress } from "../../change-safety/address-lock";
import type { StackJson } from "../../change-safety/stack-json";
import { AccessLogsBucket } from "../../modules/traffic/access-logs-bucket";
import { SHIPPED_ENVIRONMENTS, shippedStack } from "../support/shipped-stacks";

const LOCK_DIRECTORY = path.resolve(__dirname, "../../change-safety/addresses");
/** The committed lock; none yet (a new environment before `npm run lock:update`) locks nothing, so the check asks for that command. */
const readLock = (environment: string): LockedAddress[] => {
  const file = path.join(LOCK_DIRECTORY, `${environment}.txt`);
  return fs.existsSync(file) ? parseLock(fs.readFileSync(file, "utf8")) : [];
};

describe("the committed address lock", () => {
  test.each(SHIPPED_ENVIRONMENTS)("%s: every locked address still exists (or is moved) and every address is locked", (environment) => {
    // GIVEN the committed lock / WHEN the shipped environment synthesizes
    const check = checkLock(readLock(environment), shippedStack(environment).withMetadata as StackJson);

    // THEN nothing would be destroyed and nothing is missing from the lock
    expect(lockProblems(environment, check)).toEqual([]);
  });

  test("has one file per shipped environment and no other", () => {
    const locked = fs.readdirSync(LOCK_DIRECTORY).filter((file) => file.endsWith(".txt")).map((file) => file.slice(0, -4)).sort();
    expect(locked, "run `npm run lock:update`").toEqual([...SHIPPED_ENVIRONMENTS].sort());
  });

  test.each(SHIPPED_ENVIRONMENTS)("%s: the file is exactly what `npm run lock:update` writes (sorted, stable)", (environment) => {
    const text = fs.readFileSync(path.join(LOCK_DIRECTORY, `${environment}.txt`), "utf8");
    expect(text).toBe(renderLock(environment, lockEntries(shippedStack(environment).withMetadata as StackJson)));
  });
});

/** A stack holding the access-log bucket under `id`; `move` may add moved blocks to its resources. */
function accessLogsStack(id: string, move?: (resource: TerraformResource) => void): StackJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const bucket = new AccessLogsBucket(stack, id, {
    bucketName: "acme-alb-logs",
    prefix: "test",
    region: "eu-west-1",
    accountId: "123456789012",
    partition: "aws",
    expirationDays: 30,
    forceDestroy: false,
  });
  if (move) for (const child of bucket.node.findAll()) if (isResource(child)) move(child);
  // Testing.synth strips the construct paths the lock records; toTerraform keeps them like cdk.tf.json.
  return stack.toTerraform() as StackJson;
}
const isResource = (node: unknown): node is TerraformResource => typeof (node as TerraformResource).moveFromId === "function";

describe("renaming a construct id", () => {
  // GIVEN a lock taken with the access-log bucket at construct id "access-logs"
  const lock = lockEntries(accessLogsStack("access-logs"));
  const bucketAddress = lock.find((entry) => entry.address.startsWith("aws_s3_bucket."));

  test("without a moved block fails the lock check, naming the address and its construct path", () => {
    // WHEN the construct is renamed
    const check = checkLock(lock, accessLogsStack("alb-access-logs"));

    // THEN every resource of the bucket construct would be destroyed, the bucket among them
    expect(check.removed).toEqual(lock);
    expect(bucketAddress).toEqual({ address: "aws_s3_bucket.access-logs_bucket_7E528747", path: "test/access-logs/bucket" });
    expect(lockProblems("test", check)).toContain(
      "test: aws_s3_bucket.access-logs_bucket_7E528747 (construct path test/access-logs/bucket) is gone: Terraform would destroy it. " +
        "Keep its construct id and parent, or carry it with a moved block (moveTo / moveToId / moveFromId); if destroying it is intended, run `npm run lock:update`.",
    );
  });

  test("with a moved block for each resource passes; the lock then only asks to record the new addresses", () => {
    // WHEN the renamed resources each say where they come from
    const renamed = accessLogsStack("alb-access-logs", (resource) => {
      const before = lock.find((entry) => entry.path === resource.node.path.replace("/alb-access-logs/", "/access-logs/"));
      resource.moveFromId(before!.address);
    });
    const check = checkLock(lock, renamed);

    // THEN nothing is destroyed: each old address moves to its new one
    expect(check.removed).toEqual([]);
    expect(check.moved.map((entry) => [entry.address, entry.to])).toContainEqual(["aws_s3_bucket.access-logs_bucket_7E528747", expect.stringMatching(/^aws_s3_bucket\.alb-access-logs_bucket_/)]);
    expect(check.moved).toHaveLength(lock.length);
    // AND the new addresses are reported until `npm run lock:update` records them
    expect(lockProblems("test", check)).toEqual([expect.stringContaining("run `npm run lock:update`")]);
    expect(lockProblems("test", checkLock(lockEntries(renamed), renamed))).toEqual([]);
  });
});

describe("checkLock", () => {
  const stack = (moved: StackJson["moved"], names: string[]): StackJson => ({
    resource: { aws_sqs_queue: Object.fromEntries(names.map((name) => [name, { "//": { metadata: { path: `test/${name}` } }, name }])) },
    moved,
  });

  test.each<[string, StackJson, Partial<Record<"removed" | "moved" | "unlocked", string[]>>]>([
    ["unchanged", stack(undefined, ["a"]), {}],
    ["removed", stack(undefined, []), { removed: ["aws_sqs_queue.a"] }],
    ["added", stack(undefined, ["a", "b"]), { unlocked: ["aws_sqs_queue.b"] }],
    ["moved", stack([{ from: "aws_sqs_queue.a", to: "aws_sqs_queue.b" }], ["b"]), { moved: ["aws_sqs_queue.a"], unlocked: ["aws_sqs_queue.b"] }],
    ["moved through a chain", stack([{ from: "aws_sqs_queue.a", to: "aws_sqs_queue.b" }, { from: "aws_sqs_queue.b", to: "aws_sqs_queue.c" }], ["c"]), { moved: ["aws_sqs_queue.a"], unlocked: ["aws_sqs_queue.c"] }],
    ["moved to an address that does not exist", stack([{ from: "aws_sqs_queue.a", to: "aws_sqs_queue.b" }], []), { removed: ["aws_sqs_queue.a"] }],
  ])("%s", (_case, current, expected) => {
    // GIVEN a lock of one queue at test/a / WHEN checked
    const check = checkLock([{ address: "aws_sqs_queue.a", path: "test/a" }], current);

    // THEN
    expect(check.removed.map((entry) => entry.address)).toEqual(expected.removed ?? []);
    expect(check.moved.map((entry) => entry.address)).toEqual(expected.moved ?? []);
    expect(check.unlocked.map((entry) => entry.address)).toEqual(expected.unlocked ?? []);
  });

  test("a changed construct path under a pinned address needs a lock update", () => {
    const check = checkLock([{ address: "aws_sqs_queue.a", path: "test/old" }], stack(undefined, ["a"]));
    expect(check.unlocked).toEqual([{ address: "aws_sqs_queue.a", path: "test/a" }]);
  });

  test("the lock text round-trips, sorted", () => {
    const entries = [
      { address: "aws_sqs_queue.b", path: "test/b" },
      { address: "aws_kms_key.a", path: "test/a" },
    ];
    const text = renderLock("test", entries);
    expect(parseLock(text)).toEqual([entries[1], entries[0]]);
    expect(text.split("\n").filter((line) => !line.startsWith("#"))).toEqual(["aws_kms_key.a  test/a", "aws_sqs_queue.b  test/b", ""]);
  });
});
