import { describe, expect, test } from "vitest";
import { SpotFleet, type SpotFleetProps } from "../../../modules/compute/spot-fleet";
import { dataSourcesOfType, soleResource, synthConstructs } from "../../support/synth";

const PROPS: SpotFleetProps = {
  name: "acme-api-spot-fleet-staging",
  roleName: "acme-api-spot-fleet-staging",
  partition: "aws",
  launchTemplateId: "lt-0123456789abcdef0",
  subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
  instanceTypes: [
    { type: "t4g.medium", weightedCapacity: 1 },
    { type: "m7g.large", weightedCapacity: 2 },
  ],
  targetCapacity: 2,
};

const synthFleet = (props: Partial<SpotFleetProps> = {}) => synthConstructs((scope) => new SpotFleet(scope, "fleet", { ...PROPS, ...props }));

describe("SpotFleet", () => {
  test("overrides cover every subnet x instance type with its weight", () => {
    // GIVEN two subnets and two weighted types WHEN synthesized
    const request = soleResource(synthFleet(), "aws_spot_fleet_request");
    // THEN
    expect(request.launch_template_config).toEqual([
      {
        launch_template_specification: { id: "lt-0123456789abcdef0", version: "$Latest" },
        overrides: [
          { subnet_id: "subnet-0a1b2c3d4e5f60001", instance_type: "t4g.medium", weighted_capacity: 1 },
          { subnet_id: "subnet-0a1b2c3d4e5f60001", instance_type: "m7g.large", weighted_capacity: 2 },
          { subnet_id: "subnet-0a1b2c3d4e5f60002", instance_type: "t4g.medium", weighted_capacity: 1 },
          { subnet_id: "subnet-0a1b2c3d4e5f60002", instance_type: "m7g.large", weighted_capacity: 2 },
        ],
      },
    ]);
  });

  test("maintains capacity, replaces unhealthy instances, terminates on expiry and delete, leaves capacity to autoscaling", () => {
    // GIVEN an end date WHEN synthesized
    const request = soleResource(synthFleet({ validUntil: "2027-01-01T00:00:00Z", tags: { team: "platform" } }), "aws_spot_fleet_request");
    // THEN
    expect(request).toMatchObject({
      fleet_type: "maintain",
      target_capacity: 2,
      allocation_strategy: "priceCapacityOptimized",
      instance_interruption_behaviour: "terminate",
      replace_unhealthy_instances: true,
      terminate_instances_with_expiration: true,
      terminate_instances_on_delete: "true",
      wait_for_fulfillment: false,
      valid_until: "2027-01-01T00:00:00Z",
      tags: { Name: "acme-api-spot-fleet-staging", team: "platform" },
      lifecycle: { ignore_changes: ["target_capacity"] },
    });
    expect(request.iam_fleet_role).toMatch(/^\$\{aws_iam_role\.fleet_role_\w+\.arn\}$/);
    expect(request.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy_attachment\.fleet_tagging_\w+$/)]);
  });

  test("the fleet role trusts spotfleet.amazonaws.com and has only the Spot Fleet tagging policy", () => {
    // GIVEN / WHEN
    const json = synthFleet({ allocationStrategy: "capacityOptimized" });
    // THEN
    const trust = dataSourcesOfType(json, "aws_iam_policy_document")[0];
    expect(trust.statement).toEqual([{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["spotfleet.amazonaws.com"] }] }]);
    expect(soleResource(json, "aws_iam_role_policy_attachment").policy_arn).toMatch(/:iam::aws:policy\/service-role\/AmazonEC2SpotFleetTaggingRole$/);
    expect(soleResource(json, "aws_iam_role").name).toBe("acme-api-spot-fleet-staging");
    expect(soleResource(json, "aws_spot_fleet_request").allocation_strategy).toBe("capacityOptimized");
  });

  test.each([
    ["subnets", { subnetIds: [] }, /at least one subnet/],
    ["instance types", { instanceTypes: [] }, /at least one instance type/],
  ])("refuses a fleet without %s", (_what, props, message) => {
    expect(() => synthFleet(props)).toThrow(message);
  });
});
