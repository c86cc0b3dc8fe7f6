import { describe, expect, test } from "vitest";
import { checkImageReference, environmentTargets, findTarget, loadEnvironment, UsageError } from "../../release/targets";
import { parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { EXAMPLES } from "../support/examples";

const production = EXAMPLES.production;
const withJobs = (input: EnvironmentInput, jobs: NonNullable<EnvironmentInput["scheduledTasks"]>): EnvironmentInput => ({
  ...input,
  scheduledTasks: [...(input.scheduledTasks ?? []), ...jobs],
});

describe("where a job with its own image runs", () => {
  // GIVEN capacity providers WHEN a job is pinned to a pool THEN it runs on that pool's provider, never with a launch type.
  test("capacity-provider environments: the strategy of the job's pool", () => {
    const config = parseEnvironmentConfig(withJobs(production, [{ name: "reindex", schedule: "rate(1 hour)", image: "acme/reindex:1", capacityPool: "spot" }]));
    const job = environmentTargets(config).find((target) => target.kind === "job");
    expect(job?.placement).not.toHaveProperty("launchType");
    const strategy = (job?.placement as { capacityProviderStrategy: Array<{ capacityProvider: string }> }).capacityProviderStrategy;
    expect(strategy.length).toBeGreaterThan(0);
    expect(strategy.map((item) => item.capacityProvider)).toEqual(strategy.map(() => `${config.project}-spot-${config.environment}`));
  });

  // GIVEN a Spot Fleet environment WHEN a job runs THEN it asks for the EC2 launch type (there are no capacity providers).
  test("spot-fleet environments: the EC2 launch type", () => {
    const config = loadEnvironment(EXAMPLES, "staging");
    const jobs = environmentTargets(config).filter((target) => target.kind === "job");
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) expect(job.placement).toEqual({ launchType: "EC2" });
  });
});

describe("finding a target by name", () => {
  test("a name that is both a service and a job is bad input", () => {
    const config = parseEnvironmentConfig(withJobs(production, [{ name: "api", schedule: "rate(1 hour)", image: "acme/api-job:1" }]));
    expect(() => findTarget(config, "api")).toThrow(UsageError);
    expect(() => findTarget(config, "api")).toThrow('"api" is both a service and a job in environment "production": rename one of them');
  });

  test("a job that runs a service's task definition points at the service", () => {
    const config = loadEnvironment(EXAMPLES, "production");
    expect(() => findTarget(config, "feed-refresh")).toThrow('job "feed-refresh" runs the task definition of service "api": deploy or run service "api" instead');
  });

  // GIVEN an unknown name WHEN looked up THEN the error lists the services, and the jobs with an image only where there are some.
  test.each(["production", "staging"])("an unknown name in %s lists what exists", (environment) => {
    const config = loadEnvironment(EXAMPLES, environment);
    const targets = environmentTargets(config);
    const services = targets.filter((target) => target.kind === "service").map((target) => target.name);
    const jobs = targets.filter((target) => target.kind === "job").map((target) => target.name);
    const expected =
      `unknown service "nope" in environment "${environment}"; services: ${services.join(", ")}` + (jobs.length > 0 ? `; jobs with their own image: ${jobs.join(", ")}` : "");
    let error: Error | undefined;
    try {
      findTarget(config, "nope");
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error?.name).toBe("UsageError");
    expect(error?.message).toBe(expected);
  });

  test("each name finds exactly its own target", () => {
    const config = loadEnvironment(EXAMPLES, "staging");
    for (const target of environmentTargets(config)) expect(findTarget(config, target.name)).toEqual(target);
  });
});

describe("image references", () => {
  // GIVEN a reference at ECS's 255-character limit WHEN checked THEN it passes; one more character is refused.
  test.each([
    [255, true],
    [256, false],
  ])("%i characters before the digest: accepted %s", (length, accepted) => {
    const image = `${"a".repeat(length - 4)}:1.0`;
    const digest = `${image}@sha256:${"0".repeat(64)}`;
    if (accepted) {
      expect(checkImageReference(image)).toBe(image);
      expect(checkImageReference(digest)).toBe(digest);
    } else {
      expect(() => checkImageReference(image)).toThrow(`is ${length} characters before "@": ECS allows at most 255`);
    }
  });
});
