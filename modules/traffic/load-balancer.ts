import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, type LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";

/** The range ECS picks dynamic host ports from in bridge mode (agent default ECS_DYNAMIC_HOST_PORT_RANGE). */
export const DYNAMIC_HOST_PORTS = { from: 32768, to: 65535 } as const;

export interface LoadBalancerProps {
  /** Load balancer and security group name (at most 32 characters). */
  readonly name: string;
  readonly vpcId: string;
  /** Internet-facing subnets in two or more AZs. */
  readonly subnetIds: string[];
  /** Who may connect on 80 (and 443). */
  readonly ingressCidrs: string[];
  /** Seconds a connection may stay idle. */
  readonly idleTimeoutSeconds: number;
  /** Refuse deletion through the API (turn off before destroying the environment). */
  readonly deletionProtection: boolean;
  /**
   * Certificate for the HTTPS listener. Without it the load balancer serves plain HTTP on 80.
   * @default - HTTP only
   */
  readonly certificateArn?: string;
  /**
   * Security policy of the HTTPS listener (TLS 1.3 and 1.2 only).
   * @default "ELBSecurityPolicy-TLS13-1-2-2021-06"
   */
  readonly sslPolicy?: string;
  /**
   * How the load balancer treats requests that could be read two ways (HTTP desync): `defensive`
   * passes them safely and refuses the dangerous ones; `strictest` refuses anything not RFC 7230.
   * @default "defensive"
   */
  readonly desyncMitigationMode?: "defensive" | "strictest";
  /** Security group of the container instances: the only place the load balancer may send traffic to. */
  readonly targetSecurityGroupId: string;
  /**
   * Host ports the tasks listen on.
   * @default DYNAMIC_HOST_PORTS (32768-65535)
   */
  readonly targetPorts?: { readonly from: number; readonly to: number };
  /**
   * Where to write access logs.
   * @default - no access logs
   */
  readonly accessLogs?: { readonly bucketName: string; readonly prefix: string };
  /**
   * Resources to create first, e.g. the access-log bucket policy AWS checks when logging is enabled.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

const NOT_FOUND: LbListenerDefaultAction = {
  type: "fixed-response",
  fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not Found" },
};

/**
 * An internet-facing Application Load Balancer with its security group and listeners. Requests
 * that no service's rule matches get a fixed 404. With a certificate, port 80 only redirects to
 * 443; without one, port 80 carries the rules.
 */
export class LoadBalancer extends Construct {
  public readonly loadBalancerArn: string;
  /** For ALB request-count metrics and autoscaling resource labels. */
  public readonly loadBalancerArnSuffix: string;
  public readonly dnsName: string;
  public readonly zoneId: string;
  public readonly securityGroupId: string;
  /** The listener services attach their rules to: HTTPS when there is a certificate, else HTTP. */
  public readonly listenerArn: string;
  public readonly httpsEnabled: boolean;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    this.httpsEnabled = props.certificateArn !== undefined;
    const targetPorts = props.targetPorts ?? DYNAMIC_HOST_PORTS;

    const securityGroup = new SecurityGroup(this, "security-group", {
      // A prefix, not a name: a replacement group must exist before the load balancer lets go of the old one.
      namePrefix: `${props.name}-`,
      description: `Load balancer ${props.name}: web traffic in, task host ports out`,
      vpcId: props.vpcId,
      tags: { Name: props.name },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = securityGroup.id;
    const listenerPorts = this.httpsEnabled ? [80, 443] : [80];
    props.ingressCidrs.forEach((cidr, index) => {
      for (const port of listenerPorts) {
        new VpcSecurityGroupIngressRule(this, `ingress-${port}-${index}`, {
          securityGroupId: securityGroup.id,
          description: `HTTP${port === 443 ? "S" : ""} from ${cidr}`,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      }
    });
    new VpcSecurityGroupEgressRule(this, "egress-to-tasks", {
      securityGroupId: securityGroup.id,
      description: "Requests and health checks to task host ports",
      ipProtocol: "tcp",
      fromPort: targetPorts.from,
      toPort: targetPorts.to,
      referencedSecurityGroupId: props.targetSecurityGroupId,
    });
    new VpcSecurityGroupIngressRule(this, "tasks-from-load-balancer", {
      securityGroupId: props.targetSecurityGroupId,
      description: `Task host ports from load balancer ${props.name}`,
      ipProtocol: "tcp",
      fromPort: targetPorts.from,
      toPort: targetPorts.to,
      referencedSecurityGroupId: securityGroup.id,
    });

    const loadBalancer = new Lb(this, "load-balancer", {
      name: props.name,
      loadBalancerType: "application",
      internal: false,
      subnets: props.subnetIds,
      securityGroups: [securityGroup.id],
      idleTimeout: props.idleTimeoutSeconds,
      enableDeletionProtection: props.deletionProtection,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: props.desyncMitigationMode ?? "defensive",
      accessLogs: props.accessLogs ? { bucket: props.accessLogs.bucketName, prefix: props.accessLogs.prefix, enabled: true } : undefined,
      dependsOn: props.dependsOn,
    });
    this.loadBalancerArn = loadBalancer.arn;
    this.loadBalancerArnSuffix = loadBalancer.arnSuffix;
    this.dnsName = loadBalancer.dnsName;
    this.zoneId = loadBalancer.zoneId;

    if (props.certificateArn !== undefined) {
      new LbListener(this, "http", {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      });
      const https = new LbListener(this, "https", {
        loadBalancerArn: loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: props.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: props.certificateArn,
        defaultAction: [NOT_FOUND],
      });
      this.listenerArn = https.arn;
    } else {
      const http = new LbListener(this, "http", {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [NOT_FOUND],
      });
      this.listenerArn = http.arn;
    }
  }
}
