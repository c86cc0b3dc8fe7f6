import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../../stacks/config";
import { minimalInput, validationMessage } from "../../support/config";

const minimal = minimalInput();
/** The minimal environment with a certificate, a second web service and a daemon, which each case breaks in one place. */
const BASE: EnvironmentInput = {
  ...minimal,
  loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" },
  services: [
    ...minimal.services,
    { name: "admin", image: "nginx", memory: 512, memoryReservation: 256, containerPort: 3000, hostHeaders: ["admin.example.com"], capacityPool: "on-demand" },
    { name: "agent", kind: "daemon", image: "agent", memory: 128, memoryReservation: 64 },
  ],
};

describe("service and load balancer config", () => {
  test("the base input is valid", () => {
    expect(validationMessage(BASE, () => undefined)).toBe("valid");
  });

  test.each<[string, (input: any) => void, string]>([
    ["duplicate service names", (i) => (i.services[1].name = "api"), 'services.1.name: duplicate service name "api"'],
    ["a host routed to two services", (i) => (i.services[1].hostHeaders = ["API.example.com"]), 'services[admin].hostHeaders.0: host "API.example.com" is already routed to service "api"'],
    ["memoryReservation above memory", (i) => (i.services[0].memoryReservation = 600), "services[api].memoryReservation: must be <= memory (512)"],
    ["container port 0", (i) => (i.services[1].containerPort = 0), "services[admin].containerPort: must be >= 1"],
    ["container port above 65535", (i) => (i.services[1].containerPort = 65536), "services[admin].containerPort: must be <= 65535"],
    ["a web service without a port", (i) => delete i.services[0].containerPort, "services[api].containerPort: is required for a web service"],
    ["a web service without host or path", (i) => (i.services[0].hostHeaders = []), "services[api].hostHeaders: a web service needs at least one host header or path pattern"],
    ["an unknown capacity pool", (i) => (i.services[0].capacityPool = "gpu"), "services[api].capacityPool: Invalid option"],
    [
      "a capacity pool in spot-fleet mode",
      (i) => {
        i.capacity = { mode: "spot-fleet", onDemand: { instanceTypes: ["m7i.large"], maxSize: 1 }, spotFleet: { instanceTypes: [{ type: "m7i.large" }], targetCapacity: 1, maxCapacity: 2 } };
      },
      'services[admin].capacityPool: unknown capacity pool "on-demand": spot-fleet mode has no capacity providers',
    ],
    ["a daemon pinned to a pool", (i) => (i.services[2].capacityPool = "spot"), "services[agent].capacityPool: a daemon service runs on every instance with the EC2 launch type"],
    ["a daemon behind the load balancer", (i) => (i.services[2].hostHeaders = ["agent.example.com"]), "services[agent].hostHeaders: a daemon service is not behind the load balancer"],
    ["a daemon with autoscaling", (i) => (i.services[2].autoscaling = { minCount: 1, maxCount: 2, cpuTargetPercent: 50 }), "services[agent].autoscaling: a daemon service runs one task per instance"],
    ["autoscaling without a policy", (i) => (i.services[0].autoscaling = { minCount: 1, maxCount: 2 }), "services[api].autoscaling: needs at least one of cpuTargetPercent"],
    ["desired count outside autoscaling bounds", (i) => (i.services[0].autoscaling = { minCount: 3, maxCount: 5, cpuTargetPercent: 50 }), "services[api].desiredCount: must be between autoscaling.minCount (3)"],
    ["health check matcher", (i) => (i.services[0].healthCheck = { matcher: "ok" }), "services[api].healthCheck.matcher: must be HTTP codes"],
    [
      "four hosts on one rule condition",
      (i) => (i.services[1].hostHeaders = ["a.example.com", "b.example.com", "c.example.com", "d.example.com"]),
      "services[admin].hostHeaders: must list at most 3 hosts (ALB limit of values per rule condition)",
    ],
    [
      "four paths on one rule condition",
      (i) => (i.services[1].pathPatterns = ["/a/*", "/b/*", "/c/*", "/d/*"]),
      "services[admin].pathPatterns: must list at most 3 paths (ALB limit of values per rule condition)",
    ],
    [
      "six values on one rule",
      (i) => Object.assign(i.services[1], { hostHeaders: ["a.example.com", "b.example.com", "c.example.com"], pathPatterns: ["/a/*", "/b/*", "/c/*"] }),
      "services[admin].hostHeaders: hostHeaders + pathPatterns must be at most 5",
    ],
    ["slow start out of range", (i) => (i.services[0].slowStartSeconds = 10), "services[api].slowStartSeconds: must be 0 (off) or between 30 and 900"],
    ["an old TLS policy", (i) => (i.loadBalancer.sslPolicy = "ELBSecurityPolicy-2016-08"), "loadBalancer.sslPolicy: must be a TLS 1.3/1.2 policy"],
    ["both certificate and domain", (i) => (i.loadBalancer.domain = { name: "api.example.com" }), "loadBalancer.certificateArn: set either certificateArn or domain, not both"],
    ["an ingress CIDR typo", (i) => (i.loadBalancer.ingressCidrs = ["10.0.0.1/8"]), "loadBalancer.ingressCidrs.0: must be an IPv4 CIDR block"],
    ["an idle timeout of 0", (i) => (i.loadBalancer.idleTimeoutSeconds = 0), "loadBalancer.idleTimeoutSeconds: must be >= 1"],
    ["a CI deploy without subjects", (i) => (i.ciDeploy = { provider: "github", subjects: [] }), "ciDeploy.subjects: must list at least one OIDC subject"],
    ["an unknown CI provider", (i) => (i.ciDeploy = { provider: "jenkins", subjects: ["x:y:z"] }), "ciDeploy.provider:"],
  ])("rejects %s, naming the field", (_case, change, expected) => {
    expect(validationMessage(BASE, change)).toContain(expected);
  });

  test("allows three hosts and two paths, the most one rule can hold", () => {
    // GIVEN a service using 3 values in each condition's limit and 5 in all
    const change = (i: any) => Object.assign(i.services[1], { hostHeaders: ["a.example.com", "b.example.com", "c.example.com"], pathPatterns: ["/a/*", "/b/*"] });
    // WHEN validated THEN it is accepted
    expect(validationMessage(BASE, change)).toBe("valid");
  });

  test("allows one host on two services when their paths differ", () => {
    expect(validationMessage(BASE, (i) => (i.services[1] = { ...i.services[1], hostHeaders: ["api.example.com"], pathPatterns: ["/admin/*"] }))).toBe("valid");
  });
});

describe("services[].taskRole (the application's own permissions)", () => {
  const metrics = { sid: "PublishMetrics", actions: ["cloudwatch:PutMetricData"], resources: ["*"], conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["CWAgent"] }] };

  test("accepts least-privilege statements and managed policy ARNs", () => {
    expect(validationMessage(BASE, (i) => (i.services[2].taskRole = { statements: [metrics], managedPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy", "arn:aws:iam::123456789012:policy/acme-reports"] }))).toBe("valid");
  });

  test.each<[string, (input: any) => void, string]>([
    ["an action without a service prefix", (i) => (i.services[2].taskRole = { statements: [{ ...metrics, actions: ["PutMetricData"] }] }), "services[agent].taskRole.statements.0.actions.0: must be an IAM action such as cloudwatch:PutMetricData"],
    ["a statement without resources", (i) => (i.services[2].taskRole = { statements: [{ ...metrics, resources: [] }] }), "services[agent].taskRole.statements.0.resources:"],
    ["a resource that is no ARN", (i) => (i.services[2].taskRole = { statements: [{ ...metrics, resources: ["my-bucket"] }] }), "services[agent].taskRole.statements.0.resources.0: must be * or an ARN"],
    ["a condition without values", (i) => (i.services[2].taskRole = { statements: [{ ...metrics, conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [] }] }] }), "services[agent].taskRole.statements.0.conditions.0.values:"],
    ["a managed policy name instead of its ARN", (i) => (i.services[0].taskRole = { managedPolicyArns: ["CloudWatchAgentServerPolicy"] }), "services[api].taskRole.managedPolicyArns.0: must be an IAM policy ARN"],
  ])("rejects %s, naming the field", (_case, change, expected) => {
    expect(validationMessage(BASE, change)).toContain(expected);
  });
});
