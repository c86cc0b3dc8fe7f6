import { Construct } from "constructs";
import { EcsCluster as EcsClusterResource } from "@cdktf/provider-aws/lib/ecs-cluster";

export interface EcsClusterProps {
  /** Cluster name; also written into the instances' `/etc/ecs/ecs.config`, so it must be a known string. */
  readonly name: string;
}

/** The ECS cluster the platform's container instances join, with Container Insights on. */
export class EcsCluster extends Construct {
  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly clusterId: string;
  /** The cluster resource, for `dependsOn` (instances must not start before it exists, nor outlive it). */
  public readonly resource: EcsClusterResource;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    this.resource = new EcsClusterResource(this, "cluster", {
      name: props.name,
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    // The literal name, not the resource's token: user data embeds it and must stay a checkable literal.
    this.clusterName = props.name;
    this.clusterArn = this.resource.arn;
    this.clusterId = this.resource.id;
  }
}
