import { describe, expect, test } from "vitest";
import { Certificate } from "../../../modules/traffic/certificate";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

describe("Certificate", () => {
  test("requests a DNS-validated certificate for the domain and its alternative names", () => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => new Certificate(scope, "cert", { domainName: "api.example.com", subjectAlternativeNames: ["admin.example.com"] }));

    // THEN
    expect(soleResource(json, "aws_acm_certificate")).toMatchObject({
      domain_name: "api.example.com",
      subject_alternative_names: ["admin.example.com"],
      validation_method: "DNS",
      lifecycle: { create_before_destroy: true },
    });
  });

  test("with a hosted zone, writes one validation record per name and waits for them", () => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => new Certificate(scope, "cert", { domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }));

    // THEN records come from the certificate's validation options, keyed by domain name
    const record = soleResource(json, "aws_route53_record");
    expect(record).toMatchObject({
      zone_id: "Z0123456789ABCDEFGHIJ",
      name: "${each.value.resource_record_name}",
      type: "${each.value.resource_record_type}",
      records: ["${each.value.resource_record_value}"],
      allow_overwrite: true,
    });
    expect(record.for_each).toMatch(/domain_validation_options\): val\.domain_name => val/);
    // AND validation waits for exactly those records
    expect(soleResource(json, "aws_acm_certificate_validation").validation_record_fqdns).toMatch(/for key, val in aws_route53_record\.[^:]+: val\.fqdn/);
    expect(json.output?.certificate_validation_records).toBeUndefined();
  });

  test("without a hosted zone, publishes the records to create and still waits for validation", () => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => new Certificate(scope, "cert", { domainName: "api.example.com" }));

    // THEN
    expect(resourcesOfType(json, "aws_route53_record")).toHaveLength(0);
    expect(String(json.output?.certificate_validation_records?.value)).toContain("val.resource_record_name");
    expect(soleResource(json, "aws_acm_certificate_validation").validation_record_fqdns).toBeUndefined();
  });
});
