import { describe, expect, test } from "vitest";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { ENVIRONMENTS } from "../../stacks/environments";
import { validationMessage } from "../support/config";
import { synthWithGuardrails } from "../support/guardrails";
import { referencedResourceAddress } from "../support/references";
import { dataSourcesOfType, resourcesOfType, synthEnvironment } from "../support/synth";
import { EXAMPLES } from "../support/examples";

describe.each(Object.keys(ENVIRONMENTS))("%s: deployments roll back on symptoms, not only on failed tasks", (environment) => {
  const { json, config } = synthEnvironment(environment);
  const services = Object.entries(json.resource?.aws_ecs_service ?? {});

  test.each(config.services.map((service) => [service.name, service.kind] as const))("service %s (%s)", (name, kind) => {
    // GIVEN the service resource and the alarms named after its family
    const service = services.find(([, resource]) => resource.name === name)?.[1] as Record<string, any>;
    const family = `${config.project}-${name}-${config.environment}`;
    // A latency threshold adds the latency alarm (production's canary api).
    const latency = config.services.find((candidate) => candidate.name === name)?.deployment.latencyAlarmMilliseconds !== undefined;
    const expectedAlarms = [`${family}-target-5xx`, `${family}-unhealthy-targets`, ...(latency ? [`${family}-target-latency`] : [])];
    const alarms = Object.entries(json.resource?.aws_cloudwatch_metric_alarm ?? {}).filter(([, alarm]) => expectedAlarms.includes(alarm.alarm_name as string));

    if (kind === "daemon") {
      // THEN a daemon behind no load balancer has no such alarms and only the circuit breaker
      expect(service.alarms).toBeUndefined();
      return;
    }
    // THEN the deployment watches exactly the service's 5xx and unhealthy-target alarms (by reference: created first) and rolls back
    expect(alarms).toHaveLength(expectedAlarms.length);
    expect(service.alarms).toEqual({ alarm_names: expect.any(Array), enable: true, rollback: true });
    expect((service.alarms.alarm_names as string[]).map(referencedResourceAddress).sort()).toEqual(
      alarms.map(([id]) => `aws_cloudwatch_metric_alarm.${id}`).sort(),
    );
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
  });

  test("the deploy role federates through the account's existing GitHub OIDC provider", () => {
    expect(resourcesOfType(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(dataSourcesOfType(json, "aws_iam_openid_connect_provider")).toEqual([expect.objectContaining({ url: "https://token.actions.githubusercontent.com" })]);
  });
});

describe("ciDeploy OIDC provider", () => {
  const production = EXAMPLES.production;

  test.each<[string, (input: any) => void, string]>([
    [
      "creating the provider and naming an existing one",
      (i) => Object.assign(i.ciDeploy, { createOidcProvider: true, oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }),
      "ciDeploy.createOidcProvider: set either createOidcProvider or oidcProviderArn, not both",
    ],
    [
      "another issuer's provider",
      (i) => (i.ciDeploy.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com"),
      "ciDeploy.oidcProviderArn: must be the IAM OIDC provider of token.actions.githubusercontent.com",
    ],
    ["a createOidcProvider that is not a boolean", (i) => (i.ciDeploy.createOidcProvider = "yes"), "ciDeploy.createOidcProvider:"],
  ])("rejects %s, naming the field", (_case, change, expected) => {
    expect(validationMessage(production, change)).toContain(expected);
  });

  test("createOidcProvider: true creates the provider in that stack, protected from destroy", () => {
    const { json } = synthEnvironment({ ...production, ciDeploy: { ...production.ciDeploy!, createOidcProvider: true } });
    expect(resourcesOfType(json, "aws_iam_openid_connect_provider")).toEqual([
      expect.objectContaining({ url: "https://token.actions.githubusercontent.com", lifecycle: { prevent_destroy: true } }),
    ]);
    expect(dataSourcesOfType(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
  });

  test("guardrail: an OIDC provider a destroy could delete is refused", () => {
    const message = synthWithGuardrails((stack) => {
      new IamOpenidConnectProvider(stack, "oidc", { url: "https://token.actions.githubusercontent.com", clientIdList: ["sts.amazonaws.com"] });
    });
    expect(message).toContain("[guarded/oidc] account-wide OIDC providers must be protected from destroy: lifecycle.prevent_destroy is not true");
    expect(
      synthWithGuardrails((stack) => {
        new IamOpenidConnectProvider(stack, "oidc", { url: "https://gitlab.com", clientIdList: ["https://gitlab.com"], lifecycle: { preventDestroy: true } });
      }),
    ).toBe("ok");
  });
});
