import { describe, expect, test } from "vitest";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { LoadBalancer, type LoadBalancerProps } from "../../../modules/traffic/load-balancer";
import { referencedResourceAddress } from "../../support/references";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

const baseProps: LoadBalancerProps = {
  name: "acme-api-web-test",
  vpcId: "vpc-0a1b2c3d",
  subnetIds: ["subnet-0a", "subnet-0b"],
  ingressCidrs: ["0.0.0.0/0"],
  idleTimeoutSeconds: 75,
  deletionProtection: true,
  targetSecurityGroupId: "sg-instances",
};

const synth = (props: Partial<LoadBalancerProps> = {}) => synthConstructs((scope) => new LoadBalancer(scope, "lb", { ...baseProps, ...props }));
const listenerOnPort = (json: ReturnType<typeof synth>, port: number) => {
  const found = resourcesOfType(json, "aws_lb_listener").filter((listener) => listener.port === port);
  expect(found).toHaveLength(1);
  return found[0];
};

describe("LoadBalancer", () => {
  test("is an internet-facing ALB that drops invalid headers, with idle timeout and deletion protection from props", () => {
    // GIVEN / WHEN
    const lb = soleResource(synth(), "aws_lb");

    // THEN
    expect(lb).toMatchObject({
      name: "acme-api-web-test",
      load_balancer_type: "application",
      internal: false,
      subnets: ["subnet-0a", "subnet-0b"],
      drop_invalid_header_fields: true,
      enable_deletion_protection: true,
      idle_timeout: 75,
    });
    expect(lb.access_logs).toBeUndefined();
  });

  test("writes access logs under the given prefix once the bucket policy exists", () => {
    // GIVEN a bucket policy to wait for
    const json = synthConstructs((scope) => {
      const policy = new S3BucketPolicy(scope, "logs-policy", { bucket: "logs-bucket", policy: "{}" });
      // WHEN
      new LoadBalancer(scope, "lb", { ...baseProps, accessLogs: { bucketName: "logs-bucket", prefix: "test" }, dependsOn: [policy] });
    });

    // THEN
    const lb = soleResource(json, "aws_lb");
    expect(lb.access_logs).toEqual({ bucket: "logs-bucket", prefix: "test", enabled: true });
    expect(lb.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
  });

  describe("with a certificate", () => {
    const json = synth({ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" });

    test("redirects port 80 to HTTPS with a 301", () => {
      expect(listenerOnPort(json, 80)).toMatchObject({
        protocol: "HTTP",
        default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
      });
    });

    test("serves 443 with the certificate and a TLS 1.3/1.2 policy, answering 404 when no rule matches", () => {
      expect(listenerOnPort(json, 443)).toMatchObject({
        protocol: "HTTPS",
        certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        default_action: [{ type: "fixed-response", fixed_response: { status_code: "404", content_type: "text/plain" } }],
      });
    });

    test("opens 80 and 443 to each configured CIDR and nothing else", () => {
      const open = resourcesOfType(json, "aws_vpc_security_group_ingress_rule")
        .filter((rule) => rule.cidr_ipv4 !== undefined)
        .map((rule) => `${rule.cidr_ipv4}:${rule.from_port}-${rule.to_port}`)
        .sort();
      expect(open).toEqual(["0.0.0.0/0:443-443", "0.0.0.0/0:80-80"]);
    });
  });

  test("uses the configured TLS policy", () => {
    const json = synth({ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" });
    expect(listenerOnPort(json, 443).ssl_policy).toBe("ELBSecurityPolicy-TLS13-1-3-2021-06");
  });

  describe("without a certificate (HTTP only)", () => {
    const json = synth({ ingressCidrs: ["203.0.113.0/24", "198.51.100.0/24"] });

    test("has one listener on 80 that answers 404 by default instead of redirecting", () => {
      const listener = soleResource(json, "aws_lb_listener");
      expect(listener).toMatchObject({ port: 80, protocol: "HTTP", default_action: [{ type: "fixed-response", fixed_response: { status_code: "404" } }] });
      expect(listener.ssl_policy).toBeUndefined();
    });

    test("opens only port 80, to the configured CIDRs", () => {
      const open = resourcesOfType(json, "aws_vpc_security_group_ingress_rule")
        .filter((rule) => rule.cidr_ipv4 !== undefined)
        .map((rule) => `${rule.cidr_ipv4}:${rule.from_port}`)
        .sort();
      expect(open).toEqual(["198.51.100.0/24:80", "203.0.113.0/24:80"]);
    });
  });

  test("lets the load balancer reach the instances only on the dynamic host port range, and only from its group", () => {
    // GIVEN / WHEN
    const json = synth();
    const groupAddress = `aws_security_group.${Object.keys(json.resource?.aws_security_group ?? {})[0]}`;

    // THEN the instance group admits the ALB group on 32768-65535
    const fromLb = resourcesOfType(json, "aws_vpc_security_group_ingress_rule").filter((rule) => rule.security_group_id === "sg-instances");
    expect(fromLb).toHaveLength(1);
    expect(fromLb[0]).toMatchObject({ ip_protocol: "tcp", from_port: 32768, to_port: 65535 });
    expect(referencedResourceAddress(fromLb[0].referenced_security_group_id)).toBe(groupAddress);
    // AND the ALB group sends only there
    const egress = soleResource(json, "aws_vpc_security_group_egress_rule");
    expect(egress).toMatchObject({ referenced_security_group_id: "sg-instances", from_port: 32768, to_port: 65535, ip_protocol: "tcp" });
    expect(egress.cidr_ipv4).toBeUndefined();
  });
});
