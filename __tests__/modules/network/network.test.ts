import { describe, expect, test } from "vitest";
import { Network, subnetCidr, type NetworkProps } from "../../../modules/network/network";
import { dataSourcesOfType, resourcesOfType, synthConstructs } from "../../support/synth";

function synthNetwork(props: NetworkProps) {
  let network: Network | undefined;
  const json = synthConstructs((scope) => {
    network = new Network(scope, "network", props);
  });
  return { json, network: network as Network };
}

describe("Network", () => {
  test("existing mode passes the ids through and creates nothing", () => {
    // GIVEN / WHEN
    const { json, network } = synthNetwork({
      mode: "existing",
      namePrefix: "acme",
      vpcId: "vpc-0123456789abcdef0",
      publicSubnetIds: ["subnet-01", "subnet-02"],
      instanceSubnetIds: ["subnet-11", "subnet-12"],
    });

    // THEN
    expect(json.resource).toBeUndefined();
    expect(network.vpcId).toBe("vpc-0123456789abcdef0");
    expect(network.publicSubnetIds).toEqual(["subnet-01", "subnet-02"]);
    expect(network.instanceSubnetIds).toEqual(["subnet-11", "subnet-12"]);
    expect(network.assignPublicIp).toBe(false);
  });

  test.each<["single" | "per-az", number]>([
    ["single", 1],
    ["per-az", 3],
  ])("create mode with %s NAT: public and private subnet per AZ, %i NAT gateway(s)", (natGateways, expectedNats) => {
    // GIVEN / WHEN
    const { json, network } = synthNetwork({ mode: "create", namePrefix: "acme", cidr: "10.20.0.0/16", azCount: 3, natGateways });

    // THEN
    const subnets = resourcesOfType(json, "aws_subnet");
    expect(subnets.map((subnet) => subnet.cidr_block).sort()).toEqual(
      ["10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20", "10.20.128.0/20", "10.20.144.0/20", "10.20.160.0/20"].sort(),
    );
    expect(subnets.every((subnet) => subnet.map_public_ip_on_launch === undefined)).toBe(true);
    expect(resourcesOfType(json, "aws_nat_gateway")).toHaveLength(expectedNats);
    expect(resourcesOfType(json, "aws_eip")).toHaveLength(expectedNats);
    const privateRoutes = resourcesOfType(json, "aws_route").filter((route) => route.nat_gateway_id !== undefined);
    expect(privateRoutes).toHaveLength(3);
    expect(new Set(privateRoutes.map((route) => route.nat_gateway_id)).size).toBe(expectedNats);
    expect(network.instanceSubnetIds).toHaveLength(3);
    expect(network.instanceSubnetIds).not.toEqual(network.publicSubnetIds);
    expect(network.assignPublicIp).toBe(false);
  });

  test("create mode without NAT puts instances in the public subnets with public IPs", () => {
    // GIVEN / WHEN
    const { json, network } = synthNetwork({ mode: "create", namePrefix: "acme", cidr: "10.20.0.0/16", natGateways: "none" });

    // THEN
    expect(resourcesOfType(json, "aws_nat_gateway")).toHaveLength(0);
    expect(resourcesOfType(json, "aws_subnet")).toHaveLength(2);
    expect(network.instanceSubnetIds).toEqual(network.publicSubnetIds);
    expect(network.assignPublicIp).toBe(true);
  });

  test("create mode closes the default security group and spreads subnets over AZs", () => {
    const { json } = synthNetwork({ mode: "create", namePrefix: "acme", cidr: "10.20.0.0/16", natGateways: "single" });
    const closed = resourcesOfType(json, "aws_default_security_group")[0];
    expect(closed.ingress).toBeUndefined();
    expect(closed.egress).toBeUndefined();
    const zones = resourcesOfType(json, "aws_subnet").map((subnet) => subnet.availability_zone);
    expect(new Set(zones).size).toBe(2);
    expect(resourcesOfType(json, "aws_vpc")[0]).toMatchObject({ cidr_block: "10.20.0.0/16", enable_dns_hostnames: true, enable_dns_support: true });
  });

  test("create mode picks its AZs among regular zones only, never opted-in Local or Wavelength Zones", () => {
    // GIVEN / WHEN a created network
    const { json } = synthNetwork({ mode: "create", namePrefix: "acme", cidr: "10.20.0.0/16", natGateways: "none" });

    // THEN the zone lookup excludes opt-in zones, which sort before the region's own AZs
    const zones = dataSourcesOfType(json, "aws_availability_zones");
    expect(zones).toHaveLength(1);
    expect(zones[0]).toMatchObject({ state: "available", filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
  });

  test.each([
    ["10.0.0.0/16", 0, "10.0.0.0/20"],
    ["10.0.0.0/16", 9, "10.0.144.0/20"],
    ["10.1.4.0/22", 1, "10.1.4.64/26"],
  ])("subnetCidr(%s, %i) = %s", (cidr, index, expected) => {
    expect(subnetCidr(cidr, index)).toBe(expected);
  });
});
