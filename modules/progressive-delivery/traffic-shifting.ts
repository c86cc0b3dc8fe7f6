import { Construct } from "constructs";
import { LbListenerRule, type LbListenerRuleCondition } from "@cdktf/provider-aws/lib/lb-listener-rule";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { deploymentConfiguration, type DeploymentConfigurationBlock, type LifecycleHook, type TrafficShiftingSettings } from "./deployment-configuration";
import { LifecycleHookRole, LoadBalancerInfrastructureRole } from "./service-roles";

/** What a web service needs to deploy by shifting load balancer traffic (canary, linear, blue/green). */
export interface TrafficShiftingProps extends TrafficShiftingSettings {
  /** Names ECS's infrastructure role for the load balancer. */
  readonly infrastructureRoleName: string;
  /** Names the role ECS invokes the hooks with (only made when there are hooks). */
  readonly hookRoleName: string;
  /**
   * A test listener rule: requests matching the production rule's conditions and carrying this header reach
   * only the new revision from the test traffic shift on.
   * @default - no test traffic
   */
  readonly testTraffic?: { readonly header: string; readonly value: string; readonly priority: number };
  /** @default - none */
  readonly hooks?: readonly LifecycleHook[];
}

export interface TrafficShiftingWiring {
  readonly listenerArn: string;
  readonly conditions: LbListenerRuleCondition[];
  readonly primaryTargetGroupArn: string;
  readonly alternateTargetGroupArn: string;
  readonly productionRuleArn: string;
}

/**
 * A service's side of ECS-managed traffic shifting: the test listener rule, ECS's infrastructure role for the
 * load balancer, the hook role, and the service's `deployment_configuration` and `advanced_configuration`.
 * ECS rewrites both rules' forward weights during every deployment, so Terraform ignores their actions.
 */
export class TrafficShifting extends Construct {
  public readonly deploymentConfiguration: DeploymentConfigurationBlock;
  public readonly advancedConfiguration: { alternateTargetGroupArn: string; productionListenerRule: string; testListenerRule?: string; roleArn: string };
  /** The roles' policies: the service must not exist before ECS may use them. */
  public readonly policies: IamRolePolicy[];
  /** Web services only: the test rule's ARN, when there is test traffic. */
  public readonly testRuleArn?: string;
  public readonly infrastructureRoleArn: string;
  public readonly hookRoleArn?: string;

  constructor(scope: Construct, id: string, props: TrafficShiftingProps, wiring: TrafficShiftingWiring) {
    super(scope, id);
    const testRule =
      props.testTraffic &&
      new LbListenerRule(this, "test-listener-rule", {
        listenerArn: wiring.listenerArn,
        priority: props.testTraffic.priority,
        condition: [...wiring.conditions, { httpHeader: { httpHeaderName: props.testTraffic.header, values: [props.testTraffic.value] } }],
        action: [weightedForward(wiring.primaryTargetGroupArn, wiring.alternateTargetGroupArn)],
        lifecycle: { ignoreChanges: ["action"] },
      });
    this.testRuleArn = testRule?.arn;
    const infrastructureRole = new LoadBalancerInfrastructureRole(this, "infrastructure-role", {
      roleName: props.infrastructureRoleName,
      targetGroupArns: [wiring.primaryTargetGroupArn, wiring.alternateTargetGroupArn],
      listenerRuleArns: [wiring.productionRuleArn, ...(testRule ? [testRule.arn] : [])],
    });
    this.infrastructureRoleArn = infrastructureRole.roleArn;
    const hooks = props.hooks ?? [];
    const hookRole =
      hooks.length > 0 ? new LifecycleHookRole(this, "hook-role", { roleName: props.hookRoleName, functionArns: hooks.map((hook) => hook.functionArn) }) : undefined;
    this.hookRoleArn = hookRole?.roleArn;
    this.policies = [infrastructureRole.policy, ...(hookRole ? [hookRole.policy] : [])];
    this.deploymentConfiguration = deploymentConfiguration(props, hooks, hookRole?.roleArn);
    this.advancedConfiguration = {
      alternateTargetGroupArn: wiring.alternateTargetGroupArn,
      productionListenerRule: wiring.productionRuleArn,
      testListenerRule: testRule?.arn,
      roleArn: infrastructureRole.roleArn,
    };
  }
}

/** All traffic to the primary target group, none to the alternate: where a new service starts (each deployment then moves the weights to the other group). */
export function weightedForward(primaryTargetGroupArn: string, alternateTargetGroupArn: string) {
  return {
    type: "forward",
    forward: {
      targetGroup: [
        { arn: primaryTargetGroupArn, weight: 100 },
        { arn: alternateTargetGroupArn, weight: 0 },
      ],
    },
  };
}
