import { Construct } from "constructs";
import { FisExperimentTemplate } from "@cdktf/provider-aws/lib/fis-experiment-template";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";

/** The FIS action that makes EC2 send real Spot interruption warnings (and rebalance recommendations) to its targets. */
export const SEND_SPOT_INTERRUPTIONS = "aws:ec2:send-spot-instance-interruptions";

export interface SpotInterruptionDrillProps {
  /** Names the role and tags the template (`Name`); at most 64 characters. */
  readonly name: string;
  /**
   * The tag EC2 puts on every Spot instance of the pool to interrupt: `aws:autoscaling:groupName` of the Spot ASG,
   * or `aws:ec2spot:fleet-request-id` of the Spot Fleet. Nobody can set `aws:` tags, so they also scope the role.
   */
  readonly spotInstanceTag: { readonly key: string; readonly value: string };
  /** Share of the pool's running Spot instances that get an interruption, 1 to 100. */
  readonly instancesPercent: number;
  /**
   * Time from the warning to the interruption, ISO 8601, 2 to 15 minutes.
   * @default "PT2M" - what a real reclaim gives
   */
  readonly durationBeforeInterruption?: string;
  /** CloudWatch alarms that stop the experiment while it runs: the services' 5xx alarms. At least one. */
  readonly stopConditionAlarmArns: string[];
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * An AWS FIS experiment template that rehearses a Spot interruption: EC2 sends the warning (2 minutes ahead) to a
 * share of the pool's running Spot instances and then interrupts them, exactly as a reclaim would, so the drainer,
 * the agent's Spot draining and the service scheduler all act for real. Any stop-condition alarm in ALARM stops
 * the experiment (interruptions already sent still happen). The template does nothing until someone starts it:
 * `aws fis start-experiment --experiment-template-id <id>`.
 *
 * The role FIS assumes may only send interruptions to instances carrying the pool's tag, and describe instances to
 * resolve the targets; only FIS of this account may assume it.
 */
export class SpotInterruptionDrill extends Construct {
  public readonly experimentTemplateId: string;
  public readonly roleName: string;
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: SpotInterruptionDrillProps) {
    super(scope, id);
    if (!Number.isInteger(props.instancesPercent) || props.instancesPercent < 1 || props.instancesPercent > 100) {
      throw new Error(`SpotInterruptionDrill: instancesPercent must be an integer from 1 to 100, got ${props.instancesPercent}`);
    }
    if (props.stopConditionAlarmArns.length === 0) {
      throw new Error("SpotInterruptionDrill: stopConditionAlarmArns needs at least one alarm: a drill must stop when clients see errors");
    }
    const { partition, region, accountId } = props;

    const role = new IamRole(this, "role", {
      name: props.name,
      description: `Lets AWS FIS interrupt Spot instances tagged ${props.spotInstanceTag.key} for the drill`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "fis.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Only experiments of this account (the confused-deputy guard FIS documents).
            Condition: {
              StringEquals: { "aws:SourceAccount": accountId },
              ArnLike: { "aws:SourceArn": `arn:${partition}:fis:${region}:${accountId}:experiment/*` },
            },
          },
        ],
      }),
    });
    new IamRolePolicy(this, "policy", {
      role: role.name,
      name: "send-spot-interruptions",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "InterruptThePoolsSpotInstances",
            Effect: "Allow",
            Action: "ec2:SendSpotInstanceInterruptions",
            Resource: `arn:${partition}:ec2:${region}:${accountId}:instance/*`,
            Condition: { StringEquals: { [`aws:ResourceTag/${props.spotInstanceTag.key}`]: props.spotInstanceTag.value } },
          },
          // FIS resolves the targets (tag and state filters) with DescribeInstances, which has no resource-level permissions.
          { Sid: "ResolveTargets", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
        ],
      }),
    });

    const template = new FisExperimentTemplate(this, "template", {
      description: `Spot interruption drill: warn ${props.instancesPercent}% of the running Spot instances, then interrupt them`,
      roleArn: role.arn,
      target: [
        {
          name: "SpotInstances",
          resourceType: "aws:ec2:spot-instance",
          selectionMode: `PERCENT(${props.instancesPercent})`,
          resourceTag: [{ key: props.spotInstanceTag.key, value: props.spotInstanceTag.value }],
          filter: [{ path: "State.Name", values: ["running"] }],
        },
      ],
      action: [
        {
          name: "interrupt",
          actionId: SEND_SPOT_INTERRUPTIONS,
          parameter: [{ key: "durationBeforeInterruption", value: props.durationBeforeInterruption ?? "PT2M" }],
          target: { key: "SpotInstances", value: "SpotInstances" },
        },
      ],
      stopCondition: props.stopConditionAlarmArns.map((value) => ({ source: "aws:cloudwatch:alarm", value })),
      tags: { Name: props.name },
    });

    this.experimentTemplateId = template.id;
    this.roleName = role.name;
    this.roleArn = role.arn;
  }
}
