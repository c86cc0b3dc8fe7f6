import { Fn } from "cdktf";
import { Construct } from "constructs";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcFlowLogs, type VpcFlowLogsProps } from "./vpc-flow-logs";

/** Use a VPC that already exists (the common case). */
export interface ExistingNetworkProps {
  readonly mode: "existing";
  readonly vpcId: string;
  /** Internet-facing subnets for the load balancer, in two or more AZs. */
  readonly publicSubnetIds: string[];
  /** Subnets for container instances, in two or more AZs. */
  readonly instanceSubnetIds: string[];
  /**
   * Whether instances need public IPs to reach AWS APIs (subnets without NAT).
   * @default false
   */
  readonly assignPublicIp?: boolean;
}

/** Create a VPC with a public and an instance subnet per AZ. */
export interface CreatedNetworkProps {
  readonly mode: "create";
  /** VPC CIDR block, /16 to /22; each subnet gets a sixteenth of it. */
  readonly cidr: string;
  /**
   * Number of availability zones.
   * @default 2
   */
  readonly azCount?: number;
  /**
   * `none`: instances live in the public subnets with public IPs (no NAT cost; their security
   * group still admits only the load balancer). `single`: one NAT gateway. `per-az`: one per AZ,
   * so losing an AZ does not cut the others off.
   */
  readonly natGateways: "none" | "single" | "per-az";
  /**
   * Flow logs of the created VPC; they cannot be turned off (a guardrail refuses a VPC without them).
   * @default - to a CloudWatch log group `/aws/vpc-flow-logs/<namePrefix>` kept 30 days
   */
  readonly flowLogs?: Omit<VpcFlowLogsProps, "vpcId" | "name">;
}

export type NetworkProps = (ExistingNetworkProps | CreatedNetworkProps) & {
  /** Name prefix for created resources' Name tags, e.g. `acme-api-production`. */
  readonly namePrefix: string;
};

/** The VPC and subnets the platform runs in, either looked up by id or created. */
export class Network extends Construct {
  public readonly vpcId: string;
  /** Subnets for the internet-facing load balancer. */
  public readonly publicSubnetIds: string[];
  /** Subnets for container instances. */
  public readonly instanceSubnetIds: string[];
  /** Whether instances must get a public IP to reach ECS, ECR and CloudWatch. */
  public readonly assignPublicIp: boolean;
  /** Flow logs of the created VPC (none for an existing VPC: its owner runs them). */
  public readonly flowLogs?: VpcFlowLogs;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.mode === "existing") {
      this.vpcId = props.vpcId;
      this.publicSubnetIds = props.publicSubnetIds;
      this.instanceSubnetIds = props.instanceSubnetIds;
      this.assignPublicIp = props.assignPublicIp ?? false;
      return;
    }
    const azCount = props.azCount ?? 2;
    // Regular AZs only: names are sorted, so an opted-in Local Zone ("us-west-2-lax-1a") would come first,
    // and Local Zones lack load balancers and most instance types.
    const zones = new DataAwsAvailabilityZones(this, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.namePrefix },
    });
    this.flowLogs = new VpcFlowLogs(this, "flow-logs", { ...props.flowLogs, vpcId: vpc.id, name: props.namePrefix });
    // Closes the default security group: anything that forgets its own gets no traffic.
    new DefaultSecurityGroup(this, "default-security-group", { vpcId: vpc.id, tags: { Name: `${props.namePrefix}-default-closed` } });
    const gateway = new InternetGateway(this, "internet-gateway", { vpcId: vpc.id, tags: { Name: props.namePrefix } });

    const publicRoutes = new RouteTable(this, "public-routes", { vpcId: vpc.id, tags: { Name: `${props.namePrefix}-public` } });
    new Route(this, "public-default-route", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: gateway.id });

    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    const natGateways: NatGateway[] = [];
    for (let index = 0; index < azCount; index++) {
      const availabilityZone = Fn.element(zones.names, index);
      const publicSubnet = new Subnet(this, `public-${index}`, {
        vpcId: vpc.id,
        cidrBlock: subnetCidr(props.cidr, index),
        availabilityZone,
        tags: { Name: `${props.namePrefix}-public-${index}`, Tier: "public" },
      });
      new RouteTableAssociation(this, `public-${index}-routes`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
      publicSubnets.push(publicSubnet);

      if (props.natGateways === "none") continue;
      if (props.natGateways === "per-az" || index === 0) {
        const address = new Eip(this, `nat-${index}-address`, { domain: "vpc", tags: { Name: `${props.namePrefix}-nat-${index}` } });
        natGateways.push(
          new NatGateway(this, `nat-${index}`, {
            allocationId: address.allocationId,
            subnetId: publicSubnet.id,
            tags: { Name: `${props.namePrefix}-nat-${index}` },
            dependsOn: [gateway],
          }),
        );
      }
      const privateSubnet = new Subnet(this, `private-${index}`, {
        vpcId: vpc.id,
        cidrBlock: subnetCidr(props.cidr, 8 + index),
        availabilityZone,
        tags: { Name: `${props.namePrefix}-private-${index}`, Tier: "private" },
      });
      const privateRoutes = new RouteTable(this, `private-${index}-routes`, { vpcId: vpc.id, tags: { Name: `${props.namePrefix}-private-${index}` } });
      new Route(this, `private-${index}-default-route`, {
        routeTableId: privateRoutes.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: natGateways[natGateways.length - 1].id,
      });
      new RouteTableAssociation(this, `private-${index}-association`, { subnetId: privateSubnet.id, routeTableId: privateRoutes.id });
      privateSubnets.push(privateSubnet);
    }

    this.vpcId = vpc.id;
    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.instanceSubnetIds = props.natGateways === "none" ? this.publicSubnetIds : privateSubnets.map((subnet) => subnet.id);
    this.assignPublicIp = props.natGateways === "none";
  }
}

/** The `index`-th of 16 equal subnets of `vpcCidr` (4 more prefix bits). */
export function subnetCidr(vpcCidr: string, index: number): string {
  const [address, prefixText] = vpcCidr.split("/");
  const prefix = Number(prefixText) + 4;
  const base = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const start = base + index * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}
