import { describe, expect, test } from "vitest";
import { ENVIRONMENTS } from "../../stacks/environments";
import { synthEnvironment } from "../support/synth";

describe("scheduled job outputs", () => {
  const jobs = Object.keys(ENVIRONMENTS).flatMap((environment) =>
    Object.entries(synthEnvironment(environment as keyof typeof ENVIRONMENTS).json.output ?? {})
      .filter(([name]) => name.startsWith("scheduled_task_"))
      .map(([name, output]) => [`${environment}/${name}`, output as { description: string; value: Record<string, unknown> }] as const));

  test("GIVEN the registered environments THEN they have jobs to check", () => expect(jobs.length).toBeGreaterThan(0));

  test.each(jobs)("GIVEN %s THEN its description names exactly what its value holds", (_name, output) => {
    expect(output.description.includes("state machine")).toBe("state_machine_arn" in output.value);
    expect(output.description.includes("queue of failed runs")).toBe("failed_runs_queue_url" in output.value);
  });
});
