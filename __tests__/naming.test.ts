import { describe, expect, test } from "vitest";
import { fitName, NAME_LIMITS, Naming } from "../modules/platform/naming";

describe("Naming", () => {
  test("joins project, component and environment", () => {
    expect(new Naming("acme-api", "production").name("web")).toBe("acme-api-web-production");
    expect(new Naming("acme-api", "production").name("")).toBe("acme-api-production");
  });

  test.each([NAME_LIMITS.loadBalancer, NAME_LIMITS.eventRule, 20])("a name over %i characters is shortened to fit, stably and uniquely", (limit) => {
    // GIVEN two long names that share their first characters
    const naming = new Naming("acme-platform-api", "production");
    const first = naming.name("scheduled-feed-refresh-every-quarter", limit);
    const second = naming.name("scheduled-feed-refresh-every-hour", limit);

    // THEN
    expect(first.length).toBeLessThanOrEqual(limit);
    expect(first).toMatch(/^acme-platf[a-z0-9-]*-[0-9a-f]{7}$/);
    expect(first).not.toBe(second);
    expect(naming.name("scheduled-feed-refresh-every-quarter", limit)).toBe(first);
  });

  test("does not leave a hyphen before the hash", () => {
    expect(fitName("abcd-efgh-ijkl", 12)).toMatch(/^abcd-[0-9a-f]{7}$/);
  });
});
