import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";

export interface TaskSecurityGroupProps {
  /** Names the group (a prefix: AWS appends a unique suffix, so a replacement can exist beside the old one). */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** The port the service's container listens on. */
  readonly containerPort: number;
  /** The load balancer's security group: the only source of requests and health checks. */
  readonly loadBalancerSecurityGroupId: string;
}

/**
 * The security group of one awsvpc service's tasks (each task's own network interface): requests and health
 * checks from the load balancer on the container port only, and the load balancer's matching egress; out to
 * anywhere (ECR, ECS, CloudWatch and the application's dependencies), like the instances.
 */
export class TaskSecurityGroup extends Construct {
  public readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: TaskSecurityGroupProps) {
    super(scope, id);
    const group = new SecurityGroup(this, "security-group", {
      namePrefix: props.namePrefix,
      description: `Tasks of ${props.namePrefix.replace(/-$/, "")}: requests from the load balancer`,
      vpcId: props.vpcId,
      tags: { Name: props.namePrefix.replace(/-$/, "") },
      lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupIngressRule(this, "from-load-balancer", {
      securityGroupId: group.id,
      description: "Requests and health checks from the load balancer",
      ipProtocol: "tcp",
      fromPort: props.containerPort,
      toPort: props.containerPort,
      referencedSecurityGroupId: props.loadBalancerSecurityGroupId,
    });
    new VpcSecurityGroupEgressRule(this, "load-balancer-to-tasks", {
      securityGroupId: props.loadBalancerSecurityGroupId,
      description: `Requests and health checks to ${props.namePrefix.replace(/-$/, "")} tasks`,
      ipProtocol: "tcp",
      fromPort: props.containerPort,
      toPort: props.containerPort,
      referencedSecurityGroupId: group.id,
    });
    new VpcSecurityGroupEgressRule(this, "egress", {
      securityGroupId: group.id,
      description: "ECR, ECS, CloudWatch and the application's dependencies",
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    });
    this.securityGroupId = group.id;
  }
}
