import { describe, expect, test } from "vitest";
import { sampleRequest } from "../../modules/traffic/listener-routing";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { servesOnLoadBalancerDnsName } from "../../stacks/routing";
import { configProblems, minimalInput } from "../support/config";
import { routeRequest, serviceTargetGroup } from "../support/listener-rules";
import { resourcesOfType, synthEnvironment, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

/** What the load balancer's DNS name looks like; nothing in the rules may depend on its value. */
const ALB_DNS_NAME = "acme-api-web-staging-1234567890.eu-west-1.elb.amazonaws.com";

/**
 * The requests README promises work, per web service: with a domain, HTTPS on the service's host
 * (and path); without one, HTTP on the load balancer's DNS name for services without a host
 * condition, or on the service's own host for those that have one (DNS records you create).
 */
const SHIPPED = Object.fromEntries(Object.keys(ENVIRONMENTS).map((name) => [name, synthEnvironment(name)]));
const STAGING = synthExample("staging").json;

describe.each(Object.keys(ENVIRONMENTS))("GIVEN the shipped %s environment WHEN its listener rules are evaluated", (name) => {
  const { json, config } = SHIPPED[name];
  const httpOnly = servesOnLoadBalancerDnsName(config);
  const port = httpOnly ? 80 : 443;
  const web = config.services.filter((service) => service.kind === "web");

  test.each(web.map((service) => [service.name, service] as const))("THEN a documented request reaches %s's target group", (_name, service) => {
    const request = { port, ...sampleRequest(service, ALB_DNS_NAME) };
    expect(routeRequest(json, request)).toMatchObject({ type: "forward", targetGroup: serviceTargetGroup(json, service.name) });
  });

  test("THEN plain HTTP either carries the rules (HTTP-only) or answers 301 to HTTPS", () => {
    const outcome = routeRequest(json, { port: 80, host: ALB_DNS_NAME, path: "/" });
    if (httpOnly) {
      // the DNS name must reach a service: an HTTP-only environment has no other name
      expect(outcome.type).toBe("forward");
    } else {
      expect(outcome).toEqual({ type: "redirect", port: "443", protocol: "HTTPS", statusCode: "HTTP_301" });
    }
  });

  test("THEN each service host resolves to the load balancer where the platform owns the zone", () => {
    const zoneId = config.loadBalancer.domain?.hostedZoneId;
    const aliases = resourcesOfType(json, "aws_route53_record").filter((record) => record.alias !== undefined);
    if (zoneId === undefined) {
      expect(aliases).toEqual([]);
      return;
    }
    for (const host of web.flatMap((service) => service.hostHeaders)) {
      const record = aliases.find((candidate) => candidate.name === host);
      expect(record).toMatchObject({ zone_id: zoneId, type: "A", alias: { name: expect.stringMatching(/^\$\{aws_lb\.[\w-]+\.dns_name\}$/), zone_id: expect.stringMatching(/^\$\{aws_lb\.[\w-]+\.zone_id\}$/) } });
    }
  });

  test("THEN an unknown host gets the fixed 404 unless a rule matches every host", () => {
    const outcome = routeRequest(json, { port, host: "unknown.invalid", path: "/nothing-here" });
    const catchAll = web.some((service) => service.hostHeaders.length === 0);
    expect(outcome.type).toBe(catchAll ? "forward" : "fixed-response");
  });
});

describe("reachability failing examples", () => {
  test("GIVEN staging as first shipped (host rule only, no domain) WHEN the ALB's DNS name is requested THEN it lands on the 404 default", () => {
    // GIVEN the synthesized staging stack with its rule narrowed to the made-up host it once had
    const json = structuredClone(STAGING);
    const [rule] = resourcesOfType(json, "aws_lb_listener_rule");
    rule.condition = [{ host_header: { values: ["api.staging.example.com"] } }];
    // WHEN / THEN the evaluator sees what clients would get
    expect(routeRequest(json, { port: 80, host: ALB_DNS_NAME, path: "/" })).toEqual({ type: "fixed-response", statusCode: "404" });
  });

  test("GIVEN a requested certificate WHEN a service host is outside its names THEN it is refused (HTTPS clients would get a name mismatch)", () => {
    const input: EnvironmentInput = {
      ...minimalInput(),
      loadBalancer: { domain: { name: "api.example.com", subjectAlternativeNames: ["*.internal.example.com"] } },
      services: [
        { ...minimalInput().services[0], hostHeaders: ["api.example.com", "admin.example.com", "ops.internal.example.com"] },
      ],
    };
    expect(configProblems(input)).toEqual([
      'services[api].hostHeaders.1: service "api": host "admin.example.com" is not covered by the load balancer\'s certificate (api.example.com, *.internal.example.com), so HTTPS clients would get a name mismatch: add it to loadBalancer.domain.subjectAlternativeNames',
    ]);
  });

  test("GIVEN the shipped production hosts WHEN one is added without its certificate name THEN it is refused", () => {
    const services = EXAMPLES.production.services!.map((service) => (service.name === "admin" ? { ...service, hostHeaders: ["ops.example.com"] } : service));
    expect(configProblems({ ...EXAMPLES.production, services })).toEqual([expect.stringMatching(/^services\[admin\]\.hostHeaders\.0: service "admin": host "ops\.example\.com" is not covered/)]);
  });

  test("GIVEN an HTTP-only environment whose services all require a host WHEN validated THEN it is refused, naming the fix", () => {
    const input: EnvironmentInput = { ...EXAMPLES.staging, services: [{ ...EXAMPLES.staging.services![0], pathPatterns: [], hostHeaders: ["api.staging.example.com"] }] };
    expect(configProblems(input)).toEqual([
      expect.stringMatching(
        /^services\[api\]\.hostHeaders: the environment has no loadBalancer\.domain or certificateArn, so clients reach it by the load balancer's DNS name, but every web service requires a Host header \(api: api\.staging\.example\.com\).*route one service by pathPatterns alone/,
      ),
    ]);
  });

  test.each<[string, Partial<EnvironmentInput>]>([
    ["one service routed by path alone", { services: [{ ...minimalInput().services[0], hostHeaders: [], pathPatterns: ["/*"] }] }],
    ["a domain", { loadBalancer: { domain: { name: "api.example.com" } } }],
    ["an existing certificate", {}],
  ])("GIVEN an environment with %s WHEN validated THEN it is accepted", (_case, change) => {
    expect(configProblems({ ...minimalInput(), ...change })).toEqual([]);
  });

  test("GIVEN no certificate and a path-only service WHEN another service is host-bound THEN both are accepted (the host one needs your DNS)", () => {
    const base = minimalInput();
    const input: EnvironmentInput = {
      ...base,
      loadBalancer: {},
      services: [
        { ...base.services[0], hostHeaders: ["admin.example.com"], name: "admin" },
        { ...base.services[0], hostHeaders: [], pathPatterns: ["/api/*"] },
      ],
    };
    expect(configProblems(input)).toEqual([]);
  });
});

describe("listener priorities in config", () => {
  const web = (name: string, change: Record<string, unknown> = {}) => ({ ...minimalInput().services[0], name, hostHeaders: [`${name}.example.com`], ...change });

  test("GIVEN two services with one explicit priority WHEN validated THEN the second is refused at its listenerPriority, asking for another value (not the one set)", () => {
    const input = { ...minimalInput(), services: [web("api", { listenerPriority: 500 }), web("admin", { listenerPriority: 500 })] };
    expect(configProblems(input)).toEqual(['services[admin].listenerPriority: service "admin": listener priority 500 is also service "api"\'s: give one of them another listenerPriority (both set 500)']);
  });

  test("GIVEN a path-only catch-all before a host service WHEN validated THEN the unreachable one is named at a field it has, with the fix", () => {
    const input = { ...minimalInput(), services: [web("site", { hostHeaders: [], pathPatterns: ["/*"] }), web("admin")] };
    expect(configProblems(input)).toEqual([
      expect.stringMatching(/^services\[admin\]\.hostHeaders: service "admin": is never reached: service "site" \(priority \d+, derived\) comes first and matches every request; narrow "site"'s hostHeaders or pathPatterns, or give this service a listenerPriority below \d+$/),
    ]);
  });

  test.each<[string, Record<string, unknown>[], string]>([
    [
      "an explicit priority that puts a whole-host rule first",
      [web("www", { hostHeaders: ["api.example.com"], listenerPriority: 5 }), web("api", { hostHeaders: ["api.example.com"], pathPatterns: ["/v2/*"] })],
      'services[api].pathPatterns: service "api": is never reached: service "www" (priority 5) comes first and matches every request this one would get; narrow "www"\'s hostHeaders or pathPatterns, or give this service a listenerPriority below 5',
    ],
    [
      "a wildcard host with a catch-all path, banded before exact hosts",
      [web("tenants", { hostHeaders: ["*.example.com"], pathPatterns: ["/*"] }), web("api")],
      'services[api].hostHeaders: service "api": is never reached: service "tenants" (priority ',
    ],
    [
      "an explicit priority that is no lower than the hiding rule's",
      [web("tenants", { hostHeaders: ["*.example.com"], listenerPriority: 10 }), web("api", { listenerPriority: 20 })],
      'services[api].listenerPriority: service "api": is never reached: service "tenants" (priority 10) comes first and matches every request this one would get; narrow "tenants"\'s hostHeaders or pathPatterns, or give this service a listenerPriority (now 20) below 10',
    ],
  ])("GIVEN %s WHEN validated THEN the hidden service is refused", (_case, services, message) => {
    expect(configProblems({ ...minimalInput(), services })).toEqual([expect.stringContaining(message)]);
  });

  test.each<[string, Record<string, unknown>[]]>([
    ["the hidden one ordered first explicitly", [web("tenants", { hostHeaders: ["*.example.com"], pathPatterns: ["/*"] }), web("api", { listenerPriority: 5 })]],
    ["a wildcard that only overlaps", [web("tenants", { hostHeaders: ["*.example.com"], pathPatterns: ["/app/*"], listenerPriority: 5 }), web("api")]],
  ])("GIVEN %s WHEN validated THEN it is accepted", (_case, services) => {
    expect(configProblems({ ...minimalInput(), services })).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["out of range", { listenerPriority: 50001 }, "services[api].listenerPriority: must be <= 50000 (got 50001)"],
    ["on a daemon", { kind: "daemon", containerPort: undefined, hostHeaders: [], listenerPriority: 10 }, "services[api].listenerPriority: a daemon service has no listener rule (got 10)"],
  ])("GIVEN a listenerPriority %s WHEN validated THEN it is refused", (_case, change, message) => {
    expect(configProblems({ ...minimalInput(), services: [web("api", change)] })).toContain(message);
  });
});
