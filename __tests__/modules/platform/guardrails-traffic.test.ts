import type { TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { synthWithGuardrails } from "../../support/guardrails";

const notFound = [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }];
const httpsListener = (stack: TerraformStack, sslPolicy: string) =>
  new LbListener(stack, "https", { loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", certificateArn: "arn:cert", sslPolicy, defaultAction: notFound });
const taskDefinition = (stack: TerraformStack, networkMode: string, container: Record<string, unknown> = {}) =>
  new EcsTaskDefinition(stack, "task", {
    family: "api",
    networkMode,
    containerDefinitions: JSON.stringify([{ name: "api", image: "nginx", memory: 128, ...container }]),
  });

describe("Guardrails for traffic and services", () => {
  test.each<[string, (stack: TerraformStack) => void]>([
    ["an ALB that drops invalid headers", (stack) => new Lb(stack, "alb", { name: "web", dropInvalidHeaderFields: true, desyncMitigationMode: "defensive" })],
    ["an HTTPS listener with the TLS 1.3/1.2 policy", (stack) => httpsListener(stack, "ELBSecurityPolicy-TLS13-1-2-2021-06")],
    ["an HTTPS listener with the TLS 1.3-only policy", (stack) => httpsListener(stack, "ELBSecurityPolicy-TLS13-1-3-2021-06")],
    ["an HTTP listener (no TLS policy to check)", (stack) => new LbListener(stack, "http", { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultAction: notFound })],
    ["a bridge-mode task definition", (stack) => taskDefinition(stack, "bridge")],
  ])("accept %s", (_case, build) => {
    expect(synthWithGuardrails(build)).toBe("ok");
  });

  test.each<[string, (stack: TerraformStack) => void, string]>([
    [
      "an ALB that passes invalid headers on",
      (stack) => new Lb(stack, "alb", { name: "web", desyncMitigationMode: "strictest" }),
      "[guarded/alb] load balancers must drop invalid header fields: drop_invalid_header_fields is not true",
    ],
    [
      "an HTTPS listener that still speaks TLS 1.0",
      (stack) => httpsListener(stack, "ELBSecurityPolicy-2016-08"),
      "[guarded/https] HTTPS listeners must use a TLS 1.3/1.2 security policy: ssl_policy is ELBSecurityPolicy-2016-08",
    ],
    [
      "an HTTPS listener without a policy (AWS would pick an old default)",
      (stack) => new LbListener(stack, "https", { loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", certificateArn: "arn:cert", defaultAction: notFound }),
      "[guarded/https] HTTPS listeners must use a TLS 1.3/1.2 security policy: ssl_policy is undefined",
    ],
    ["a host-network task definition", (stack) => taskDefinition(stack, "host"), "[guarded/task] task definitions must not use host networking: network_mode is host"],
    ["a privileged container", (stack) => taskDefinition(stack, "bridge", { privileged: true }), "[guarded/task] containers must not be privileged: container api is privileged"],
  ])("refuse %s, naming the construct path", (_case, build, expected) => {
    expect(synthWithGuardrails(build)).toContain(expected);
  });
});
