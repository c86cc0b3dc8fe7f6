import { describe, expect, test } from "vitest";
import { isValidScheduleExpression } from "../../../modules/jobs/schedule-expression";

describe("isValidScheduleExpression", () => {
  test.each([
    "rate(1 minute)",
    "rate(15 minutes)",
    "rate(1 hour)",
    "rate(6 hours)",
    "rate(1 day)",
    "rate(7 days)",
    "cron(0/15 * * * ? *)",
    "cron(30 2 * * ? *)",
    "cron(0 12 ? * MON-FRI *)",
    "cron(15 10 ? * 6L 2030)",
    "cron(0 8 ? * 2#1 *)",
    "cron(0 0 L * ? *)",
    "cron(0 9 15W * ? *)",
    "cron(0 18 ? JAN-MAR,OCT SUN *)",
    "cron(5,35 14 * * ? 2026-2030)",
    "cron(0 */2 ? * * *)",
  ])("GIVEN %s WHEN checked THEN it is valid", (expression) => {
    // GIVEN / WHEN / THEN
    expect(isValidScheduleExpression(expression)).toBe(true);
  });

  test.each([
    ["rate(0 minutes)", "zero amount"],
    ["rate(-5 minutes)", "negative amount"],
    ["rate(1 minutes)", "plural unit for 1"],
    ["rate(5 minute)", "singular unit for more than 1"],
    ["rate(2 weeks)", "unknown unit"],
    ["rate(1.5 hours)", "fractional amount"],
    ["rate(5minutes)", "no space"],
    ["cron(0/15 * * * *)", "five fields (Unix cron)"],
    ["cron(0 12 * * * * *)", "seven fields"],
    ["cron(0 12 * * * *)", "neither day field is ?"],
    ["cron(0 12 ? * ? *)", "both day fields are ?"],
    ["cron(60 12 * * ? *)", "minute out of range"],
    ["cron(0 24 * * ? *)", "hour out of range"],
    ["cron(0 12 32 * ? *)", "day of month out of range"],
    ["cron(0 12 ? 13 MON *)", "month out of range"],
    ["cron(0 12 ? * 8 *)", "day of week out of range"],
    ["cron(0 12 ? * MON 1969)", "year out of range"],
    ["cron(0 ? * * * *)", "? in the hour field"],
    ["cron(10-5 * * * ? *)", "reversed range"],
    ["cron(0/0 * * * ? *)", "zero step"],
    ["cron(0 12 * FOO ? *)", "unknown month name"],
    ["0/15 * * * ? *", "no cron(...) wrapper"],
    ["", "empty"],
  ])("GIVEN %s (%s) WHEN checked THEN it is invalid", (expression) => {
    // GIVEN / WHEN / THEN
    expect(isValidScheduleExpression(expression)).toBe(false);
  });
});
