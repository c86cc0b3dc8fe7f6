import { Construct } from "constructs";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";

export interface AliasRecordsProps {
  /** Route 53 hosted zone the names live in. */
  readonly zoneId: string;
  /** Exact host names, or `*.` wildcards, to point at the target. */
  readonly names: readonly string[];
  /** The load balancer's DNS name and hosted zone id. */
  readonly target: { readonly dnsName: string; readonly zoneId: string };
}

/**
 * Route 53 alias records (A) that point host names at the load balancer, so the hosts its rules
 * and certificate serve also resolve to it. Records that already exist are not taken over: apply
 * fails on them instead, so DNS managed elsewhere is never silently redirected.
 */
export class AliasRecords extends Construct {
  public readonly fqdns: string[];

  constructor(scope: Construct, id: string, props: AliasRecordsProps) {
    super(scope, id);
    const invalid = props.names.filter((name) => !/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name));
    if (invalid.length > 0) throw new Error(`alias records: ${invalid.join(", ")} cannot be DNS names (only exact names and leading *. wildcards)`);
    // Keyed by name, so adding or removing a host never touches another's record.
    this.fqdns = [...new Set(props.names)].map(
      (name) =>
        new Route53Record(this, name.replace(/^\*/, "wildcard"), {
          zoneId: props.zoneId,
          name,
          type: "A",
          // One record per name and nothing to fail over to: answering with it is always right.
          alias: { name: props.target.dnsName, zoneId: props.target.zoneId, evaluateTargetHealth: false },
        }).fqdn,
    );
  }
}
