import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SpotFleetRequest } from "@cdktf/provider-aws/lib/spot-fleet-request";

export interface SpotFleetInstanceType {
  readonly type: string;
  /** Capacity units one instance of this type counts for (e.g. by vCPU). */
  readonly weightedCapacity: number;
}

export interface SpotFleetProps {
  /** Name tag of the request. */
  readonly name: string;
  /** Name of the fleet's IAM role (at most 64 characters). */
  readonly roleName: string;
  /** AWS partition of the resources' ARNs, e.g. `aws` (the stack's `data.aws_partition`). */
  readonly partition: string;
  readonly launchTemplateId: string;
  /** Subnets to launch into; every instance type is offered in every subnet. */
  readonly subnetIds: string[];
  readonly instanceTypes: SpotFleetInstanceType[];
  /** Initial capacity in weighted units; Application Auto Scaling owns it afterwards (`ignore_changes`). */
  readonly targetCapacity: number;
  /**
   * `priceCapacityOptimized`, `capacityOptimized`, `capacityOptimizedPrioritized`, `diversified` or `lowestPrice`.
   * @default "priceCapacityOptimized"
   */
  readonly allocationStrategy?: string;
  /**
   * ISO 8601 end of the request; its instances are terminated then.
   * @default - no end
   */
  readonly validUntil?: string;
  /**
   * Launch a replacement when an instance gets a rebalance recommendation. The strategy is `launch`:
   * `launch-before-terminate` needs a termination delay that `aws_spot_fleet_request` (hashicorp/aws
   * 6.25.0) cannot send, and EC2 refuses it without one. The fleet stops counting the old instance
   * but leaves it running, so whoever drains it must terminate it (the Spot drainer does).
   * Replace-only: changing it replaces the request and all its instances.
   * @default false
   */
  readonly capacityRebalance?: boolean;
  /**
   * Tags of the request (instances are tagged by the launch template).
   * @default {}
   */
  readonly tags?: Record<string, string>;
  /**
   * What the request must wait for besides its role (e.g. the launch template's cluster).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A `maintain` Spot Fleet request whose instances join the ECS cluster through the launch
 * template, with its fleet role (AmazonEC2SpotFleetTaggingRole, trusted by spotfleet.amazonaws.com).
 * Overrides cover every subnet x instance type pair, weighted.
 *
 * The template version is `$Latest`: launch template configs are replace-only on a request, and
 * replacing the request would terminate all its instances at once. New instances pick up the
 * current template as the fleet replaces interrupted ones.
 *
 * Teardown: deleting the request terminates its instances (`terminate_instances_on_delete`).
 * Nothing drains them; services are removed first because they depend on the request.
 */
export class SpotFleet extends Construct {
  public readonly spotFleetRequestId: string;
  public readonly fleetRoleArn: string;
  public readonly resource: SpotFleetRequest;

  constructor(scope: Construct, id: string, props: SpotFleetProps) {
    super(scope, id);
    if (props.subnetIds.length === 0) throw new Error(`${props.name}: a Spot Fleet needs at least one subnet`);
    if (props.instanceTypes.length === 0) throw new Error(`${props.name}: a Spot Fleet needs at least one instance type`);
    if (props.capacityRebalance && (props.allocationStrategy ?? "priceCapacityOptimized") === "lowestPrice") {
      throw new Error(`${props.name}: capacity rebalance with lowestPrice would launch replacements in the pool most likely to be interrupted`);
    }

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["spotfleet.amazonaws.com"] }] }],
    });
    const role = new IamRole(this, "role", { name: props.roleName, assumeRolePolicy: trust.json });
    const tagging = new IamRolePolicyAttachment(this, "tagging", {
      role: role.name,
      policyArn: `arn:${props.partition}:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole`,
    });

    this.resource = new SpotFleetRequest(this, "request", {
      iamFleetRole: role.arn,
      fleetType: "maintain",
      targetCapacity: props.targetCapacity,
      allocationStrategy: props.allocationStrategy ?? "priceCapacityOptimized",
      instanceInterruptionBehaviour: "terminate",
      replaceUnhealthyInstances: true,
      terminateInstancesWithExpiration: true,
      terminateInstancesOnDelete: "true",
      waitForFulfillment: false,
      validUntil: props.validUntil,
      spotMaintenanceStrategies: props.capacityRebalance ? { capacityRebalance: { replacementStrategy: "launch" } } : undefined,
      launchTemplateConfig: [
        {
          launchTemplateSpecification: { id: props.launchTemplateId, version: "$Latest" },
          overrides: props.subnetIds.flatMap((subnetId) =>
            props.instanceTypes.map((instanceType) => ({ subnetId, instanceType: instanceType.type, weightedCapacity: instanceType.weightedCapacity })),
          ),
        },
      ],
      tags: { Name: props.name, ...props.tags },
      dependsOn: [tagging, ...(props.dependsOn ?? [])],
      lifecycle: { ignoreChanges: ["target_capacity"] },
    });
    this.spotFleetRequestId = this.resource.id;
    this.fleetRoleArn = role.arn;
  }
}
