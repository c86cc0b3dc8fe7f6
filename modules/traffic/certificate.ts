import { TerraformIterator, TerraformOutput, Token } from "cdktf";
import { Construct } from "constructs";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";

export interface CertificateProps {
  /** The certificate's primary domain, e.g. `api.example.com`. */
  readonly domainName: string;
  /**
   * Further names on the same certificate, e.g. `admin.example.com`.
   * @default - none
   */
  readonly subjectAlternativeNames?: string[];
  /**
   * Route 53 hosted zone to write the DNS validation records into. Without it the records are
   * published as the `certificate_validation_records` output for whoever runs the zone, and
   * apply waits until they exist.
   * @default - records are not created
   */
  readonly hostedZoneId?: string;
}

/** An ACM certificate validated by DNS, usable only once validation has completed. */
export class Certificate extends Construct {
  /** The validated certificate's ARN: referencing it makes a listener wait for validation. */
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id);
    const certificate = new AcmCertificate(this, "certificate", {
      domainName: props.domainName,
      subjectAlternativeNames: props.subjectAlternativeNames?.length ? props.subjectAlternativeNames : undefined,
      validationMethod: "DNS",
      keyAlgorithm: "EC_prime256v1",
      // A listener always holds a certificate: the replacement must exist before the old one goes.
      lifecycle: { createBeforeDestroy: true },
    });

    const options = TerraformIterator.fromComplexList(certificate.domainValidationOptions, "domain_name");
    let validationRecordFqdns: string[] | undefined;
    if (props.hostedZoneId !== undefined) {
      const records = new Route53Record(this, "validation-record", {
        forEach: options,
        zoneId: props.hostedZoneId,
        name: options.getString("resource_record_name"),
        type: options.getString("resource_record_type"),
        records: [options.getString("resource_record_value")],
        ttl: 300,
        // A wildcard and its apex share one validation record.
        allowOverwrite: true,
      });
      validationRecordFqdns = Token.asList(TerraformIterator.fromResources(records).pluckProperty("fqdn"));
    } else {
      new TerraformOutput(this, "certificate_validation_records", {
        staticId: true,
        description: "DNS records to create so ACM can validate the load balancer certificate",
        value: options.forExpressionForList("{ name = val.resource_record_name, type = val.resource_record_type, value = val.resource_record_value }"),
      });
    }
    const validation = new AcmCertificateValidation(this, "validation", {
      certificateArn: certificate.arn,
      validationRecordFqdns,
    });
    this.certificateArn = validation.certificateArn;
  }
}
