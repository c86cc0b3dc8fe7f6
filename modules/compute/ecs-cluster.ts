import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster as EcsClusterResource } from "@cdktf/provider-aws/lib/ecs-cluster";

export interface EcsClusterProps {
  /** Cluster name; also written into the instances' `/etc/ecs/ecs.config`, so it must be a known string. */
  readonly name: string;
  /**
   * Create the log group Container Insights writes its performance events to, with this retention,
   * before the cluster, so ECS finds it instead of creating one with its own retention (and the
   * stack's log encryption covers it). A cluster that already ran tasks has the group: import it first.
   * @default - ECS creates the group itself
   */
  readonly performanceLogRetentionDays?: number;
}

/** Where Container Insights puts a cluster's performance events (the name ECS uses). */
export function containerInsightsLogGroupName(clusterName: string): string {
  return `/aws/ecs/containerinsights/${clusterName}/performance`;
}

/** The ECS cluster the platform's container instances join, with Container Insights on. */
export class EcsCluster extends Construct {
  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly clusterId: string;
  /** The cluster resource, for `dependsOn` (instances must not start before it exists, nor outlive it). */
  public readonly resource: EcsClusterResource;
  /** The performance log group, when created here. */
  public readonly performanceLogGroupName?: string;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const performanceLogs =
      props.performanceLogRetentionDays === undefined
        ? undefined
        : new CloudwatchLogGroup(this, "performance-logs", {
            name: containerInsightsLogGroupName(props.name),
            retentionInDays: props.performanceLogRetentionDays,
          });
    this.performanceLogGroupName = performanceLogs?.name;
    this.resource = new EcsClusterResource(this, "cluster", {
      name: props.name,
      setting: [{ name: "containerInsights", value: "enabled" }],
      dependsOn: performanceLogs && [performanceLogs],
    });
    // The literal name, not the resource's token: user data embeds it and must stay a checkable literal.
    this.clusterName = props.name;
    this.clusterArn = this.resource.arn;
    this.clusterId = this.resource.id;
  }
}
