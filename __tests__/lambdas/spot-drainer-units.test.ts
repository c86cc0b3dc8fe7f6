import { afterEach, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import type { Service, Task } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { isRetryable, withRetry } from "../../lambdas/spot-drainer/retry";
import { targetsForTasks, waitUntilDrained } from "../../lambdas/spot-drainer/targets";
import { createLogger } from "../../lambdas/spot-drainer/log";
import { chunk } from "../../lambdas/spot-drainer/util";
import { fakeClock, jsonLogLines } from "./support/drainer";

const elb = mockClient(ElasticLoadBalancingV2Client);
afterEach(() => {
  elb.reset();
  vi.restoreAllMocks();
});

describe("isRetryable: which failures are worth another attempt inside the deadline", () => {
  const named = (name: string) => Object.assign(new Error("x"), { name });

  test.each([
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServerException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalFailure",
    "InternalError",
    "RequestTimeout",
    "RequestTimeoutException",
    "TimeoutError",
    "ECONNRESET",
    "ETIMEDOUT",
    "EPIPE",
  ])("GIVEN %s by name or by code WHEN classified THEN it is retried", (name) => {
    expect(isRetryable(named(name))).toBe(true);
    expect(isRetryable({ name: "Error", code: name })).toBe(true);
  });

  test.each([
    ["a client error", named("AccessDeniedException"), false],
    ["a validation error", named("ValidationError"), false],
    ["a server fault", Object.assign(named("Unknown"), { $fault: "server" }), true],
    ["a client fault", Object.assign(named("Unknown"), { $fault: "client" }), false],
    ["HTTP 429", Object.assign(named("Unknown"), { $metadata: { httpStatusCode: 429 } }), true],
    ["HTTP 500", Object.assign(named("Unknown"), { $metadata: { httpStatusCode: 500 } }), true],
    ["HTTP 499", Object.assign(named("Unknown"), { $metadata: { httpStatusCode: 499 } }), false],
    ["HTTP 400", Object.assign(named("Unknown"), { $metadata: { httpStatusCode: 400 } }), false],
    ["a status that is no number", Object.assign(named("Unknown"), { $metadata: { httpStatusCode: "503" } }), false],
    ["a name that is no string with a retryable code", { name: 42, code: "ETIMEDOUT" }, true],
    ["a code that is no string", { name: "Unknown", code: 503 }, false],
    ["a string", "ThrottlingException", false],
    ["null", null, false],
    ["undefined", undefined, false],
  ])("GIVEN %s WHEN classified THEN retryable is %s", (_label, err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });

  test("GIVEN a backoff that would end exactly at the deadline WHEN retrying THEN it gives up instead", async () => {
    const clock = fakeClock(1_000);
    const fn = vi.fn<() => Promise<string>>().mockRejectedValueOnce(named("ThrottlingException")).mockResolvedValue("ok");
    // First backoff: 200 ms cap × 0.5 = 100 ms, ending at 1 100 = the deadline.
    await expect(withRetry(fn, { deadline: 1_100, now: clock.now, sleep: clock.sleep, random: () => 0.5 })).rejects.toThrow("x");
    expect(fn).toHaveBeenCalledTimes(1);
    await expect(withRetry(fn, { deadline: 1_101, now: clock.now, sleep: clock.sleep, random: () => 0.5 })).resolves.toBe("ok");
  });
});

describe("targetsForTasks: this instance's registrations from the tasks' network bindings", () => {
  const INSTANCE = "i-0abcd1234ef567890";
  const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef";
  const web: Service = { serviceName: "web", loadBalancers: [{ targetGroupArn: TG, containerName: "web", containerPort: 8080 }] };
  const task = (containers: Task["containers"], group = "service:web"): Task => ({ taskArn: "t", group, containers });

  test.each<[string, Task, number[]]>([
    ["the load-balanced container's binding", task([{ name: "web", networkBindings: [{ containerPort: 8080, hostPort: 32768 }] }]), [32768]],
    ["IPv4 and IPv6 bindings of one port, once", task([{ name: "web", networkBindings: [{ containerPort: 8080, hostPort: 32768 }, { containerPort: 8080, hostPort: 32768 }] }]), [32768]],
    ["another port of that container: not registered", task([{ name: "web", networkBindings: [{ containerPort: 9090, hostPort: 32770 }, { containerPort: 8080, hostPort: 32768 }] }]), [32768]],
    ["a binding without a host port yet", task([{ name: "web", networkBindings: [{ containerPort: 8080 }] }]), []],
    ["a sidecar's binding on the same port", task([{ name: "envoy", networkBindings: [{ containerPort: 8080, hostPort: 32771 }] }]), []],
    ["a task without containers", task(undefined), []],
    ["a standalone task", task([{ name: "web", networkBindings: [{ containerPort: 8080, hostPort: 32768 }] }], "family:web"), []],
    ["a task without group", { taskArn: "t", containers: [{ name: "web", networkBindings: [{ containerPort: 8080, hostPort: 32768 }] }] }, []],
    ["a service that was not described", task([{ name: "web", networkBindings: [{ containerPort: 8080, hostPort: 32768 }] }], "service:admin"), []],
  ])("GIVEN %s WHEN mapped THEN the ports are %j", (_label, given, ports) => {
    const byGroup = targetsForTasks(INSTANCE, [given], [web], []);
    expect(byGroup.get(TG)?.map((t) => t.Port) ?? []).toEqual(ports);
    for (const target of byGroup.get(TG) ?? []) expect(target.Id).toBe(INSTANCE);
  });

  test("GIVEN a service without load balancers WHEN mapped THEN nothing", () => {
    expect(targetsForTasks(INSTANCE, [task([{ name: "web", networkBindings: [{ containerPort: 8080, hostPort: 1 }] }])], [{ serviceName: "web" }], []).size).toBe(0);
  });
});

describe("waitUntilDrained: matching health to the exact target", () => {
  const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef";
  const mine = { Id: "i-mine", Port: 32768 };

  async function drain(descriptions: Array<{ Id: string; Port: number; State: string }> | "fails") {
    const clock = fakeClock(0);
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const cmd = elb.on(DescribeTargetHealthCommand);
    if (descriptions === "fails") cmd.rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));
    else cmd.resolves({ TargetHealthDescriptions: descriptions.map(({ Id, Port, State }) => ({ Target: { Id, Port }, TargetHealth: { State: State as never } })) });
    const drained = await waitUntilDrained(
      new ElasticLoadBalancingV2Client({ region: "eu-west-1" }),
      (fn) => fn(),
      clock,
      new Map([[TG, [mine]]]),
      { stopAt: 12_000, pollIntervalMs: 5_000 },
      createLogger(),
    );
    return { drained, polls: elb.commandCalls(DescribeTargetHealthCommand).length, logs: jsonLogLines(log) };
  }

  test.each([
    ["ours unused", [{ ...mine, State: "unused" }], 1, 1],
    ["ours absent from the answer", [], 1, 1],
    ["ours draining until the stop point", [{ ...mine, State: "draining" }], 0, 4],
    ["another port of ours draining, ours unused", [{ Id: "i-mine", Port: 32770, State: "draining" }, { ...mine, State: "unused" }], 1, 1],
    ["another instance on our port draining, ours unused", [{ Id: "i-other", Port: 32768, State: "draining" }, { ...mine, State: "unused" }], 1, 1],
    ["only another instance on our port draining", [{ Id: "i-other", Port: 32768, State: "draining" }], 1, 1],
  ])("GIVEN %s WHEN waiting THEN %i drained after %i polls", async (_label, descriptions, drained, polls) => {
    const result = await drain(descriptions);
    expect(result).toMatchObject({ drained, polls });
    if (drained === 0) {
      expect(result.logs).toContainEqual(expect.objectContaining({ level: "warn", msg: "targets still draining at stop point, stopping tasks anyway", pending: { [TG]: [mine] } }));
    }
  });

  test("GIVEN DescribeTargetHealth fails WHEN waiting THEN that group is neither waited for nor counted as drained, and the failure is logged", async () => {
    const result = await drain("fails");
    expect(result).toMatchObject({ drained: 0, polls: 1 });
    expect(result.logs).toContainEqual(
      expect.objectContaining({ level: "error", msg: "describe target health failed, not waiting for this target group", targetGroupArn: TG, errorName: "AccessDenied" }),
    );
  });
});

describe("chunk", () => {
  test.each([
    [[], 10, []],
    [[1, 2, 3], 10, [[1, 2, 3]]],
    [[1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]],
    [[1, 2, 3, 4], 2, [[1, 2], [3, 4]]],
  ])("GIVEN %j in chunks of %i WHEN split THEN %j", (items, size, expected) => {
    expect(chunk(items, size)).toEqual(expected);
  });
});
