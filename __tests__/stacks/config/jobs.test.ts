import { describe, expect, test } from "vitest";
import { parseEnvironmentConfig, type EnvironmentInput } from "../../../stacks/config";
import { configProblems } from "../../support/config";
import { EXAMPLES, type ExampleName } from "../../support/examples";

type Job = NonNullable<EnvironmentInput["scheduledTasks"]>[number];

function withJobs(environment: ExampleName, jobs: Job[]): EnvironmentInput {
  return { ...EXAMPLES[environment], scheduledTasks: jobs };
}

const FEED: Job = { name: "feed-refresh", schedule: "rate(15 minutes)", service: "api", command: ["node", "jobs/refresh-feeds.js"] };

describe("scheduledTasks config", () => {
  test("GIVEN a job with only the required fields WHEN parsed THEN the defaults are filled in", () => {
    // GIVEN / WHEN
    const config = parseEnvironmentConfig(withJobs("staging", [{ name: "ping", schedule: "rate(1 hour)", service: "api" }]));
    // THEN
    expect(config.scheduledTasks[0]).toEqual({
      name: "ping",
      schedule: "rate(1 hour)",
      service: "api",
      command: [],
      environment: {},
      cpu: 256,
      memory: 512,
      taskCount: 1,
      enabled: true,
      retries: 0,
      capacityPool: "default",
      readonlyRootFilesystem: false,
      writablePaths: [],
    });
  });

  test.each([
    ["cron(0/15 * * * *)", "has 5 cron fields, EventBridge needs 6: cron(minutes hours day-of-month month day-of-week year) (a Unix cron has 5: add the year"],
    ["cron(0 12 * * ? * *)", "has 7 cron fields, EventBridge needs 6"],
    ["rate(0 minutes)", "the rate must be at least 1"],
    ["rate(1 minutes)", "1 takes the singular unit: rate(1 minute)"],
    ["rate(1 days)", "1 takes the singular unit: rate(1 day)"],
    ["rate(2 weeks)", 'unit "weeks" is not one EventBridge knows: use minute(s), hour(s) or day(s)'],
    ["cron(0 12 * * * *)", 'exactly one of day-of-month ("*") and day-of-week ("*") must be ?'],
    ["cron(0 25 * * ? *)", 'hours "25" is not valid: values 0-23'],
    ["*/15 * * * *", "must be rate(N unit) or cron(minutes hours day-of-month month day-of-week year)"],
  ])(
    "GIVEN the schedule %s WHEN parsed THEN the error names the job, echoes the value, says what is wrong and that it is UTC",
    (schedule, problem) => {
      // GIVEN
      const input = withJobs("production", [{ ...FEED }, { ...FEED, name: "nightly-report", schedule }]);
      // WHEN
      const problems = configProblems(input);
      // THEN
      expect(problems).toHaveLength(1);
      expect(problems[0]).toBe(`scheduledTasks[nightly-report].schedule: job "nightly-report": "${schedule}": ${problems[0].split(`"${schedule}": `)[1]}`);
      expect(problems[0]).toContain(problem);
      expect(problems[0]).toMatch(/\(schedules run in UTC\)$/);
    },
  );

  test.each<{ given: string; job: Job; expected: string }>([
    {
      given: "retries with several tasks",
      job: { ...FEED, retries: 2, taskCount: 3 },
      expected: 'scheduledTasks[feed-refresh].taskCount: job "feed-refresh": must be 1 when retries > 0',
    },
    { given: "neither service nor image", job: { name: "orphan", schedule: "rate(1 day)" }, expected: "scheduledTasks[orphan].service: set exactly one of service or image" },
    {
      given: "both service and image",
      job: { ...FEED, image: "public.ecr.aws/docker/library/busybox:1.36" },
      expected: "scheduledTasks[feed-refresh].service: set exactly one of service or image",
    },
    { given: "an unknown service", job: { ...FEED, service: "worker" }, expected: 'scheduledTasks[feed-refresh].service: job "feed-refresh": unknown service "worker"; services it can run: "api", "admin"' },
    { given: "11 tasks", job: { ...FEED, taskCount: 11 }, expected: "scheduledTasks[feed-refresh].taskCount: must be <= 10 (got 11)" },
    { given: "11 retries", job: { ...FEED, retries: 11 }, expected: "scheduledTasks[feed-refresh].retries: must be <= 10 (got 11)" },
  ])("GIVEN $given WHEN parsed THEN it is refused", ({ job, expected }) => {
    // GIVEN / WHEN
    const problems = configProblems(withJobs("production", [job]));
    // THEN
    expect(problems).toEqual([expect.stringContaining(expected)]);
  });

  test("GIVEN a spot-fleet environment WHEN a job pins a capacity pool THEN it is refused", () => {
    // GIVEN / WHEN
    const problems = configProblems(withJobs("staging", [{ ...FEED, capacityPool: "spot" }]));
    // THEN
    expect(problems).toEqual(['scheduledTasks[feed-refresh].capacityPool: job "feed-refresh": unknown capacity pool "spot": spot-fleet mode has no capacity providers, use "default"']);
  });

  // The shipped examples by name: environments added with new-env are free to have other jobs.
  test.each<[ExampleName, string]>([
    ["staging", "smoke-check"],
    ["production", "feed-refresh"],
  ])("GIVEN the shipped %s environment WHEN parsed THEN its %s job runs every 15 minutes", (name, job) => {
    // GIVEN / WHEN
    const config = parseEnvironmentConfig(EXAMPLES[name]);
    // THEN
    const found = config.scheduledTasks.find((candidate) => candidate.name === job);
    expect(found?.schedule).toMatch(/^(rate\(15 minutes\)|cron\(0\/15 \* \* \* \? \*\))$/);
  });
});
