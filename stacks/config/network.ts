/** The VPC of an environment: an existing one or one created for it. */
import { z } from "zod";
import { cidr, int, SUBNET_ID, VPC_ID } from "./fields";
import { flowLogsSchema } from "./security";

export const networkSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("existing").describe("Use a VPC and subnets that exist already."),
    vpcId: z.string().regex(VPC_ID, "must be a VPC id such as vpc-0abc12345def67890").describe("The VPC, e.g. `vpc-0abc12345def67890`."),
    publicSubnetIds: z.array(z.string().regex(SUBNET_ID, "must be a subnet id")).min(2, "needs at least 2 subnets (one per AZ)").describe("Subnets for the internet-facing load balancer, in at least 2 AZs."),
    instanceSubnetIds: z.array(z.string().regex(SUBNET_ID, "must be a subnet id")).min(2, "needs at least 2 subnets (one per AZ)").describe("Subnets for the container instances, in at least 2 AZs (private subnets with NAT, or public ones with `assignPublicIp`)."),
    assignPublicIp: z.boolean().default(false).describe("Give instances public IPs: only for subnets without a NAT gateway."),
  }),
  z.object({
    mode: z.literal("create").describe("Create a VPC with one public and one instance subnet per AZ."),
    cidr: cidr().refine((value) => {
      const prefix = Number(value.split("/")[1]);
      return prefix >= 16 && prefix <= 22;
    }, "must have a prefix between /16 and /22 to fit one public and one instance subnet per AZ").describe("IPv4 CIDR of the new VPC, /16 to /22, e.g. `10.20.0.0/16`; must not overlap networks it will be peered with."),
    azCount: int(2, 6).default(2).describe("Availability zones to spread subnets (and instances) over."),
    natGateways: z.enum(["none", "single", "per-az"]).describe("How instances reach the internet (ECR, ECS, CloudWatch): `none` puts instances in the public subnets with public IPs (cheapest; ingress is still only from the load balancer), `single` is one NAT gateway, `per-az` one per AZ (survives the loss of an AZ)."),
    flowLogs: flowLogsSchema(),
  }),
]);
