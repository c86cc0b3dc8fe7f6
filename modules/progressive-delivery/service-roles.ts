import { Construct } from "constructs";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";

/** A role ECS itself assumes (trust: ecs.amazonaws.com), with one inline policy. */
abstract class EcsAssumedRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;
  /** The inline policy: the service must not be created (or deploy) before it exists. */
  public readonly policy: IamRolePolicy;

  protected constructor(scope: Construct, id: string, roleName: string, statements: DataAwsIamPolicyDocumentStatement[]) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ecs.amazonaws.com"] }] }],
    });
    const role = new IamRole(this, "role", { name: roleName, assumeRolePolicy: trust.json });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", { statement: statements });
    this.policy = new IamRolePolicy(this, "policy", { name: roleName, role: role.id, policy: permissions.json });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}

export interface LoadBalancerInfrastructureRoleProps {
  readonly roleName: string;
  /** The service's two target groups (primary and alternate). */
  readonly targetGroupArns: readonly string[];
  /** The production and (when there is one) test listener rules ECS reweights. */
  readonly listenerRuleArns: readonly string[];
}

/**
 * ECS's infrastructure role for load balancers (`advanced_configuration.role_arn`): what ECS does to shift
 * traffic, on this service's target groups and rules only. AmazonECSInfrastructureRolePolicyForLoadBalancers
 * grants the same actions on every target group, listener and rule of the account.
 */
export class LoadBalancerInfrastructureRole extends EcsAssumedRole {
  constructor(scope: Construct, id: string, props: LoadBalancerInfrastructureRoleProps) {
    super(scope, id, props.roleName, [
      {
        sid: "ReadLoadBalancing",
        // Describe calls have no resource-level permissions.
        actions: [
          "elasticloadbalancing:DescribeListeners",
          "elasticloadbalancing:DescribeRules",
          "elasticloadbalancing:DescribeTargetGroups",
          "elasticloadbalancing:DescribeTargetHealth",
        ],
        resources: ["*"],
      },
      { sid: "RegisterTasks", actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], resources: [...props.targetGroupArns] },
      { sid: "ShiftTraffic", actions: ["elasticloadbalancing:ModifyRule"], resources: [...props.listenerRuleArns] },
    ]);
  }
}

export interface LifecycleHookRoleProps {
  readonly roleName: string;
  /** The hook functions ECS calls. */
  readonly functionArns: readonly string[];
}

/** The role ECS invokes a service's lifecycle hook functions with: those functions, nothing else. */
export class LifecycleHookRole extends EcsAssumedRole {
  constructor(scope: Construct, id: string, props: LifecycleHookRoleProps) {
    super(scope, id, props.roleName, [{ sid: "InvokeHooks", actions: ["lambda:InvokeFunction"], resources: [...new Set(props.functionArns)] }]);
  }
}
