import { describe, expect, test } from "vitest";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { serviceUrl } from "../../stacks/platform-stack";
import { synthWithGuardrails } from "../support/guardrails";
import { minimalInput } from "../support/config";
import { parseEnvironmentConfig } from "../../stacks/config";
import { resourcesOfType, synthEnvironment, synthExample } from "../support/synth";

import { SHIPPED_ENVIRONMENTS as SHIPPED } from "../support/shipped-stacks";

describe("stack outputs", () => {
  test.each(SHIPPED)("%s: every output says what it is for", (name) => {
    // GIVEN / WHEN
    const { json } = synthEnvironment(name);
    // THEN
    const outputs = Object.entries((json.output ?? {}) as Record<string, { description?: string }>);
    expect(outputs.length).toBeGreaterThan(8);
    expect(outputs.filter(([, output]) => !(output.description && output.description.length >= 20)).map(([id]) => id)).toEqual([]);
  });

  test.each(SHIPPED)("%s: one URL output per web service", (name) => {
    const { json, config } = synthEnvironment(name);
    const web = config.services.filter((service) => service.kind === "web").map((service) => `service_${service.name.replace(/-/g, "_")}_url`);
    const urls = Object.keys(json.output ?? {}).filter((id) => id.endsWith("_url") && id.startsWith("service_"));
    expect(urls.sort()).toEqual(web.sort());
  });

  test("production's API answers on its host over HTTPS; staging's over HTTP", () => {
    expect(synthExample("production").json.output?.service_api_url.value).toBe("https://api.example.com/");
    // Staging has no domain: its API answers on the load balancer's own DNS name.
    expect(synthExample("staging").json.output?.service_api_url.value).toMatch(/^http:\/\/\$\{aws_lb\.[^.]+\.dns_name\}\/$/);
  });

  test.each<[string, Partial<{ hostHeaders: string[]; pathPatterns: string[] }>, boolean, string]>([
    ["an exact host", { hostHeaders: ["api.example.com"] }, true, "https://api.example.com/"],
    ["wildcards first, an exact host after", { hostHeaders: ["*.example.com", "www.example.com"] }, false, "http://www.example.com/"],
    ["only a path: the load balancer's name", { hostHeaders: [], pathPatterns: ["/api/*"] }, false, "http://lb.example/api/"],
  ])("serviceUrl: %s", (_case, routing, https, expected) => {
    const service = parseEnvironmentConfig({ ...minimalInput(), services: [{ ...minimalInput().services[0], ...routing }] }).services[0];
    expect(serviceUrl(service, https, "lb.example")).toBe(expected);
  });
});

describe("alarms", () => {
  test.each(SHIPPED)("%s: every alarm carries a description", (name) => {
    const alarms = resourcesOfType(synthEnvironment(name).json, "aws_cloudwatch_metric_alarm");
    expect(alarms.length).toBeGreaterThan(3);
    expect(alarms.filter((alarm) => typeof alarm.alarm_description !== "string").map((alarm) => alarm.alarm_name)).toEqual([]);
  });

  test.each<[string, string | undefined, string]>([
    ["with a description", "Targets fail health checks: see the runbook", "ok"],
    ["without one", undefined, "[guarded/alarm] CloudWatch alarms must say what they mean: alarm_description is missing or empty"],
  ])("the guardrail accepts an alarm %s only when it says what it means", (_case, alarmDescription, expected) => {
    const result = synthWithGuardrails((stack) => {
      new CloudwatchMetricAlarm(stack, "alarm", {
        alarmName: "a",
        alarmDescription,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 1,
        period: 60,
        statistic: "Maximum",
        threshold: 0,
      });
    });
    if (expected === "ok") expect(result).toBe("ok");
    else expect(result).toContain(expected);
  });
});

