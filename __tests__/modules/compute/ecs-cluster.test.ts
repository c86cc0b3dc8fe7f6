import { describe, expect, test } from "vitest";
import { containerInsightsLogGroupName, EcsCluster } from "../../../modules/compute/ecs-cluster";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

describe("EcsCluster", () => {
  test("GIVEN a performance log retention WHEN synthesized THEN the Container Insights log group exists, with it, before the cluster", () => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => new EcsCluster(scope, "cluster", { name: "acme-api-test", performanceLogRetentionDays: 14 }));

    // THEN
    const group = soleResource(json, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ name: "/aws/ecs/containerinsights/acme-api-test/performance", retention_in_days: 14 });
    const [groupId] = Object.keys(json.resource?.aws_cloudwatch_log_group ?? {});
    expect(soleResource(json, "aws_ecs_cluster").depends_on).toEqual([`aws_cloudwatch_log_group.${groupId}`]);
  });

  test("GIVEN no performance log retention WHEN synthesized THEN ECS is left to create the group", () => {
    const json = synthConstructs((scope) => new EcsCluster(scope, "cluster", { name: "acme-api-test" }));

    expect(resourcesOfType(json, "aws_cloudwatch_log_group")).toEqual([]);
    expect(soleResource(json, "aws_ecs_cluster").depends_on).toBeUndefined();
  });

  test("the group is named as Container Insights names it for ECS", () => {
    expect(containerInsightsLogGroupName("my-cluster")).toBe("/aws/ecs/containerinsights/my-cluster/performance");
  });
});
