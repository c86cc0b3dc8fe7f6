import { describe, expect, test } from "vitest";
import { SpotInterruptionDrainer } from "../../modules/operations/spot-interruption-drainer";
import { DRAINER_METRICS } from "../../lambdas/spot-drainer/metrics";
import { dataSourcesOfType, resourcesOfType, soleResource, synthConstructs, synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

interface Statement {
  sid?: string;
  actions: string[];
  resources?: string[];
  condition?: Array<{ test: string; variable: string; values: string[] }>;
}

const statements = (json: Synthesized): Statement[] =>
  dataSourcesOfType(json, "aws_iam_policy_document").flatMap((document) => (document.statement ?? []) as Statement[]);
const drainer = (json: Synthesized) => resourcesOfType(json, "aws_lambda_function").find((fn) => /spot-drainer/.test(fn.function_name));

describe("Spot Fleet capacity rebalance and the drainer, wired together", () => {
  test("GIVEN staging WHEN synthesized THEN the fleet replaces, the drainer drains on rebalance and may terminate only the fleet's own instances", () => {
    const { json } = synthExample("staging");

    const request = soleResource(json, "aws_spot_fleet_request");
    expect(request.spot_maintenance_strategies).toEqual({ capacity_rebalance: { replacement_strategy: "launch" } });
    expect(drainer(json)?.environment.variables).toMatchObject({ DRAIN_ON_REBALANCE: "true", TERMINATE_AFTER_REBALANCE_DRAIN: "true" });
    const terminate = statements(json).filter((statement) => statement.actions.includes("ec2:TerminateInstances"));
    expect(terminate).toEqual([
      {
        sid: "TerminateRebalancedFleetInstances",
        actions: ["ec2:TerminateInstances"],
        resources: ["*"],
        condition: [
          {
            test: "StringEquals",
            variable: "ec2:ResourceTag/aws:ec2spot:fleet-request-id",
            values: [expect.stringMatching(/^\$\{aws_spot_fleet_request\.[\w-]+\.id\}$/)],
          },
        ],
      },
    ]);
  });

  test("GIVEN staging WHEN synthesized THEN an alarm notifies on rebalance drains that did not terminate their instance, on the metric the drainer publishes", () => {
    const { json } = synthExample("staging");

    const refused = resourcesOfType(json, "aws_cloudwatch_metric_alarm").filter((alarm) => alarm.metric_name === DRAINER_METRICS.names.rebalanceTerminationsRefused);
    expect(refused).toEqual([
      expect.objectContaining({
        namespace: DRAINER_METRICS.namespace,
        // The value the handler puts in the dimension: its CLUSTER_NAME.
        dimensions: { [DRAINER_METRICS.dimension]: drainer(json)?.environment.variables.CLUSTER_NAME },
        statistic: "Sum",
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        alarm_actions: [expect.stringMatching(/aws_sns_topic/)],
      }),
    ]);
  });

  test.each([
    ["production (capacity providers: the ASG replaces, managed draining drains)", EXAMPLES.production],
    [
      "staging without rebalance",
      {
        ...EXAMPLES.staging,
        capacity: { ...EXAMPLES.staging.capacity, spotFleet: EXAMPLES.staging.capacity.spotFleet && { ...EXAMPLES.staging.capacity.spotFleet, capacityRebalance: false } },
        spotDrainer: { drainOnRebalance: false },
      },
    ],
  ])("GIVEN %s WHEN synthesized THEN the drainer terminates nothing", (_case, input) => {
    const { json } = synthEnvironment(input);
    expect(JSON.stringify(statements(json))).not.toContain("ec2:TerminateInstances");
    expect(drainer(json)?.environment.variables.TERMINATE_AFTER_REBALANCE_DRAIN).toBeUndefined();
    expect(resourcesOfType(json, "aws_cloudwatch_metric_alarm").map((alarm) => alarm.metric_name)).not.toContain(DRAINER_METRICS.names.rebalanceTerminationsRefused);
    for (const request of resourcesOfType(json, "aws_spot_fleet_request")) expect(request.spot_maintenance_strategies).toBeUndefined();
  });
});

describe("SpotInterruptionDrainer.terminateAfterRebalanceDrain", () => {
  test("GIVEN termination without rebalance draining WHEN constructed THEN it is refused: the function would never see the event", () => {
    expect(() =>
      synthConstructs(
        (scope) =>
          new SpotInterruptionDrainer(scope, "drainer", {
            functionName: "acme-api-spot-drainer-qa",
            interruptionRuleName: "acme-api-spot-interruption-qa",
            failureQueueName: "acme-api-spot-drainer-failures-qa",
            clusterName: "acme-api-qa",
            clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/acme-api-qa",
            deadlineMarginSeconds: 10,
            stopTimeoutSeconds: 30,
            reservedConcurrency: 10,
            logRetentionDays: 14,
            terminateAfterRebalanceDrain: { spotFleetRequestId: "sfr-0123456789abcdef0" },
          }),
      ),
    ).toThrow("terminateAfterRebalanceDrain needs drainOnRebalance");
  });
});
