import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { decide, isRollback, readSettings, statusMatches, type CheckSettings, type ProbeResult } from "../../lambdas/deployment-verification/check";
import type { LifecycleHookEvent } from "../../lambdas/deployment-verification/contract";
import { verificationHook } from "../../lambdas/deployment-verification/handler";
import { probe } from "../../lambdas/deployment-verification/probe";
import fixture from "./fixtures/ecs-lifecycle-hook-post-test-traffic-shift.json";

const event = (): LifecycleHookEvent => structuredClone(fixture) as LifecycleHookEvent;
const GREEN = fixture.executionDetails.targetServiceRevisionArn;
const answering = (result: ProbeResult) => vi.fn(async (_settings: CheckSettings) => result);

describe("deployment verification hook: decisions", () => {
  test.each<[string, ProbeResult, Record<string, unknown> | undefined, object, string]>([
    ["the first check passes", { status: 200 }, undefined, { hookStatus: "SUCCEEDED" }, "passed"],
    ["a redirect is within 200-399", { status: 302 }, undefined, { hookStatus: "SUCCEEDED" }, "passed"],
    ["the first check gets a 503", { status: 503 }, undefined, { hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { attempt: 1 } }, "retrying"],
    ["the second check cannot connect", { error: "connect ECONNREFUSED" }, { attempt: 1 }, { hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { attempt: 2 } }, "retrying"],
    ["the last attempt gets a 500", { status: 500 }, { attempt: 2 }, { hookStatus: "FAILED" }, "failed"],
    ["a late attempt passes", { status: 204 }, { attempt: 2 }, { hookStatus: "SUCCEEDED" }, "passed"],
    ["a negative attempt count (not ours) starts over", { status: 500 }, { attempt: -1 }, { hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { attempt: 1 } }, "retrying"],
    ["a fractional attempt count starts over", { status: 500 }, { attempt: 1.5 }, { hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { attempt: 1 } }, "retrying"],
    ["an attempt count of 0 starts over", { status: 500 }, { attempt: 0 }, { hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { attempt: 1 } }, "retrying"],
  ])("GIVEN %s WHEN the hook decides THEN it answers by the contract", async (_name, result, previous, expected, outcome) => {
    const input = event();
    const withPrevious = { ...input, hookDetails: { ...input.hookDetails, ...previous } };
    const send = answering(result);
    const decision = await decide(withPrevious, send);
    expect(decision.result).toEqual(expected);
    expect(decision.outcome).toBe(outcome);
    // It checked through the test rule, exactly once per call.
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0]).toMatchObject({ host: "api.example.com", path: "/health", header: "X-Deployment-Test", value: "acme-api-canary", https: true });
  });

  test("GIVEN a rollback (the new revision has no test traffic) WHEN called THEN it succeeds without checking, so the rollback is not held up", async () => {
    const input = event();
    const rollback: LifecycleHookEvent = { ...input, executionDetails: { ...input.executionDetails, testTrafficWeights: { [GREEN]: 0, other: 100 } } };
    const send = answering({ status: 500 });
    expect(isRollback(rollback)).toBe(true);
    expect(await decide(rollback, send)).toEqual({ result: { hookStatus: "SUCCEEDED" }, outcome: "rollback" });
    expect(send).not.toHaveBeenCalled();
  });

  test.each<[string, LifecycleHookEvent["executionDetails"]]>([
    ["the new revision has test traffic", fixture.executionDetails],
    ["no execution details", undefined],
    ["no test weights", { targetServiceRevisionArn: GREEN }],
    ["weights without the new revision", { targetServiceRevisionArn: GREEN, testTrafficWeights: { other: 0 } }],
    ["no target revision", { testTrafficWeights: { [GREEN]: 0 } }],
  ])("GIVEN %s WHEN asked THEN it is no rollback", (_name, executionDetails) => {
    expect(isRollback({ ...event(), executionDetails })).toBe(false);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["no hook details", {}, ["loadBalancerDnsName", "host", "path", "header", "value", "expectedStatus"].map((key) => `${key} must be a non-empty string`).concat(["attempts must be a positive integer", "intervalSeconds must be a positive integer"])],
    ["an empty host", { ...fixture.hookDetails, host: "" }, ["host must be a non-empty string"]],
    ["attempts of 0", { ...fixture.hookDetails, attempts: 0 }, ["attempts must be a positive integer"]],
    ["attempts as a string", { ...fixture.hookDetails, attempts: "3" }, ["attempts must be a positive integer"]],
    ["a fractional interval", { ...fixture.hookDetails, intervalSeconds: 2.5 }, ["intervalSeconds must be a positive integer"]],
    ["a port of 0", { ...fixture.hookDetails, port: 0 }, ["port must be a positive integer"]],
    ["a malformed matcher", { ...fixture.hookDetails, expectedStatus: "ok" }, ["expectedStatus must be HTTP codes such as 200 or 200-399"]],
    // The matcher is checked once the rest is sound: one line per thing to fix.
    ["an empty host and a malformed matcher", { ...fixture.hookDetails, host: "", expectedStatus: "ok" }, ["host must be a non-empty string"]],
  ])("GIVEN %s WHEN called THEN it fails the deployment instead of letting an unchecked revision through", async (_name, details, problems) => {
    const send = answering({ status: 200 });
    const decision = await decide({ ...event(), hookDetails: details }, send);
    expect(decision.result).toEqual({ hookStatus: "FAILED" });
    expect(decision.outcome).toBe("misconfigured");
    expect(decision.problems).toEqual(problems);
    expect(send).not.toHaveBeenCalled();
  });

  test.each<[string, boolean]>([
    ["200", true],
    ["200-399", true],
    ["200,204", true],
    ["200,204-299", true],
    ["x200", false],
    ["200x", false],
    ["2000", false],
    ["200,2", false],
    ["200-", false],
  ])("GIVEN expectedStatus %s WHEN read THEN it is accepted: %s", (expectedStatus, accepted) => {
    expect(Array.isArray(readSettings({ ...fixture.hookDetails, expectedStatus }))).toBe(!accepted);
  });

  test.each<[string, number, boolean]>([
    ["200", 200, true],
    ["200", 201, false],
    ["200-399", 399, true],
    ["200-399", 400, false],
    ["200,204", 204, true],
    ["200,204", 199, false],
  ])("GIVEN matcher %s WHEN the status is %i THEN it matches: %s", (matcher, status, expected) => {
    expect(statusMatches(matcher, status)).toBe(expected);
  });

  test("GIVEN the fixture's details WHEN read THEN every setting is taken as given", () => {
    expect(readSettings(fixture.hookDetails)).toEqual(fixture.hookDetails);
  });
});

describe("deployment verification hook: its log line", () => {
  test.each<[string, ProbeResult, Record<string, unknown>, string, string]>([
    ["a pass", { status: 200 }, {}, "info", "passed"],
    ["a retry", { status: 500 }, {}, "info", "retrying"],
    ["a failure", { status: 500 }, { attempt: 2 }, "error", "failed"],
    ["a misconfiguration", { status: 200 }, { host: "" }, "error", "misconfigured"],
  ])("GIVEN %s WHEN the handler answers THEN it logs one JSON line with the outcome at the right level", async (_name, result, details, level, outcome) => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const input = event();
    await verificationHook(answering(result))({ ...input, hookDetails: { ...input.hookDetails, ...details } });
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0][0]))).toMatchObject({
      level,
      message: `deployment verification ${outcome}`,
      deployment: fixture.resourceArn,
      stage: "POST_TEST_TRAFFIC_SHIFT",
      revision: GREEN,
    });
    log.mockRestore();
  });

  test("GIVEN a call without execution details WHEN the handler answers THEN it still logs", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    await verificationHook(answering({ status: 200 }))({ ...event(), executionDetails: undefined });
    expect(JSON.parse(String(log.mock.calls[0][0])).revision).toBeUndefined();
    log.mockRestore();
  });
});

describe("deployment verification hook: the request", () => {
  const seen: http.IncomingHttpHeaders[] = [];
  const methods: string[] = [];
  let status = 200;
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      seen.push(request.headers);
      methods.push(String(request.method));
      if (request.url === "/slow") return; // never answers
      response.writeHead(request.headers["x-deployment-test"] === "acme-api-canary" ? status : 404).end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const local = (path = "/health"): LifecycleHookEvent => ({
    ...event(),
    hookDetails: { ...fixture.hookDetails, https: false, loadBalancerDnsName: "127.0.0.1", port, path },
  });

  test("GIVEN a healthy new revision WHEN the handler runs THEN it sent the service's host and the test header, and succeeded", async () => {
    status = 200;
    expect(await verificationHook(probe)(local())).toEqual({ hookStatus: "SUCCEEDED" });
    expect(seen.at(-1)).toMatchObject({ host: "api.example.com", "x-deployment-test": "acme-api-canary", "user-agent": "ecs-deployment-verification" });
    expect(methods.at(-1)).toBe("GET");
  });

  test("GIVEN a new revision answering 500 WHEN the handler runs THEN it asks to be called again", async () => {
    status = 500;
    expect(await verificationHook(probe)(local())).toEqual({ hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { attempt: 1 } });
  });

  test("GIVEN a revision that never answers WHEN probed THEN the request times out instead of hanging the call", async () => {
    const settings = readSettings(local("/slow").hookDetails) as CheckSettings;
    expect(await probe(settings, 200)).toEqual({ error: "no answer within 200 ms" });
  });

  test("GIVEN nothing listening WHEN probed THEN the connection error is the outcome", async () => {
    const settings = readSettings({ ...local().hookDetails, port: 1 }) as CheckSettings;
    expect(await probe(settings, 2000)).toEqual({ error: expect.stringContaining("ECONNREFUSED") });
  });
});
