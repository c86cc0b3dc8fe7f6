import { describe, expect, test } from "vitest";
import { AliasRecords } from "../../../modules/traffic/alias-records";
import { resourcesOfType, synthConstructs } from "../../support/synth";

const target = { dnsName: "web-123.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2" };

describe("AliasRecords", () => {
  test("GIVEN hosts (one repeated) WHEN synthesized THEN each gets one A alias to the load balancer in the zone", () => {
    const json = synthConstructs((scope) => new AliasRecords(scope, "dns", { zoneId: "Z0123", names: ["api.example.com", "*.apps.example.com", "api.example.com"], target }));
    const records = resourcesOfType(json, "aws_route53_record");
    expect(records.map((record) => record.name).sort()).toEqual(["*.apps.example.com", "api.example.com"]);
    for (const record of records) {
      expect(record).toMatchObject({ zone_id: "Z0123", type: "A", alias: { name: target.dnsName, zone_id: target.zoneId, evaluate_target_health: false } });
      // never takes over a record someone else manages
      expect(record.allow_overwrite).toBeUndefined();
    }
  });

  test.each(["api-?.example.com", "api.*.example.com", "localhost"])("GIVEN %s WHEN constructed THEN it is refused: not a DNS name", (name) => {
    expect(() => synthConstructs((scope) => new AliasRecords(scope, "dns", { zoneId: "Z0123", names: [name], target }))).toThrow(`alias records: ${name} cannot be DNS names`);
  });
});
