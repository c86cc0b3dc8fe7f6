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
  test.each<[string, ProbeResult, Record<string, unknown> | undefined, object]>([
    ["the first check passes", { status: 200 }, undefined, { hookStatus: "SUCCEEDED" }],
    ["a redirect is within 200-399", { status: 302 }, undefined, { hookStatus: "SUCCEEDED" }],
    ["the first check gets a 503", { status: 503 }, undefined, { hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { attempt: 1 } }],
    ["the second check cannot connect", { error: "connect ECONNREFUSED" }, { attempt: 1 }, { hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { attempt: 2 } }],
    ["the last attempt gets a 500", { status: 500 }, { attempt: 2 }, { hookStatus: "FAILED" }],
    ["a late attempt passes", { status: 204 }, { attempt: 2 }, { hookStatus: "SUCCEEDED" }],
  ])("GIVEN %s WHEN the hook decides THEN it answers by the contract", async (_name, result, previous, expected) => {
    const input = event();
    const withPrevious = { ...input, hookDetails: { ...input.hookDetails, ...previous } };
    const send = answering(result);
    expect((await decide(withPrevious, send)).result).toEqual(expected);
    // It checked through the test rule, exactly once per call.
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0]).toMatchObject({ host: "api.example.com", path: "/health", header: "X-Deployment-Test", value: "acme-api-canary", https: true });
  });

  test("GIVEN a rollback (the new revision has no test traffic) WHEN called THEN it succeeds without checking, so the rollback is not held up", async () => {
    const input = event();
    const rollback: LifecycleHookEvent = { ...input, executionDetails: { ...input.executionDetails, testTrafficWeights: { [GREEN]: 0, other: 100 } } };
    const send = answering({ status: 500 });
    expect(isRollback(rollback)).toBe(true);
    expect((await decide(rollback, send)).result).toEqual({ hookStatus: "SUCCEEDED" });
    expect(send).not.toHaveBeenCalled();
    expect(isRollback(event())).toBe(false);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["no hook details", {}, "loadBalancerDnsName must be a non-empty string"],
    ["attempts of 0", { ...fixture.hookDetails, attempts: 0 }, "attempts must be a positive integer"],
    ["a malformed matcher", { ...fixture.hookDetails, expectedStatus: "ok" }, "expectedStatus must be HTTP codes such as 200 or 200-399"],
  ])("GIVEN %s WHEN called THEN it fails the deployment instead of letting an unchecked revision through", async (_name, details, problem) => {
    const send = answering({ status: 200 });
    const decision = await decide({ ...event(), hookDetails: details }, send);
    expect(decision.result).toEqual({ hookStatus: "FAILED" });
    expect(decision.problems).toContain(problem);
    expect(send).not.toHaveBeenCalled();
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

describe("deployment verification hook: the request", () => {
  const seen: http.IncomingHttpHeaders[] = [];
  let status = 200;
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      seen.push(request.headers);
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
    expect(seen.at(-1)).toMatchObject({ host: "api.example.com", "x-deployment-test": "acme-api-canary" });
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
