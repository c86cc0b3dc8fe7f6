import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { releaseDriftWarnings } from "../../stacks/release-drift";
import { synthesizeEnvironments } from "../../stacks/synthesize";
import { EXAMPLES } from "../support/examples";

type Mutable = Record<string, any>;

/** Synthesizes staging (with `change` applied) into `outdir` and returns the warnings it gave. */
function synthStaging(outdir: string, change: (env: Mutable) => void = () => undefined): string[] {
  const staging = structuredClone(EXAMPLES.staging) as Mutable;
  change(staging);
  const { warnings } = synthesizeEnvironments({
    environments: { ...ENVIRONMENTS, staging: staging as EnvironmentInput },
    selected: ["staging"],
    outdir,
  });
  // Spot pool advice is about capacity, not releases.
  return warnings.filter((warning) => !warning.startsWith("spot advice"));
}

describe("synth says how each change since the last synth reaches what runs: releases own the running revision", () => {
  test("each change is named once, on the synth that first has it, with the command that ships it", () => {
    // GIVEN a previous synth in the output directory
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drift-")), "cdktf.out");
    expect(synthStaging(outdir)).toEqual([]);
    const newImage = (env: Mutable) => (env.services[0].image = "public.ecr.aws/nginx/nginx:1.28-alpine");

    // WHEN the image changes, the next synth has the same config, then secrets, the port and the desired count change
    const first = synthStaging(outdir, newImage);
    const second = synthStaging(outdir, newImage);
    const third = synthStaging(outdir, (env) => {
      newImage(env);
      env.services[0].secrets = { TOKEN: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/token" };
      env.services[0].containerPort = 9090;
      env.services[0].desiredCount = 2;
    });

    // THEN
    expect(first).toEqual([
      "staging: services[api] image changed since the last synth (public.ecr.aws/nginx/nginx:1.27-alpine → public.ecr.aws/nginx/nginx:1.28-alpine). " +
        "The config's image is only what a new stack starts with: releases own the running image, and cdktf deploy leaves it alone. " +
        "Ship an image with: npm run release -- deploy staging api --image public.ecr.aws/nginx/nginx:1.28-alpine",
    ]);
    expect(second).toEqual([]);
    // the desired count is Terraform's to apply: not named
    expect(third).toEqual([
      "staging: services[api] portMappings, secrets changed since the last synth. cdktf deploy registers it in acme-api-api-staging_config; " +
        "the service and the jobs that use its image get it with the next release, which keeps the running image: npm run release -- deploy staging api " +
        "(after the apply; with --image <image-ref> to ship a new build along). The apply changes the load balancer's side of a port change " +
        "(target group, the service's container port) and the release the container's: run them back to back.",
    ]);
  });

  test("a fresh output directory has no baseline and reports nothing", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drift-")), "cdktf.out");
    expect(synthStaging(outdir, (env) => (env.services[0].image = "other:1"))).toEqual([]);
  });
});

describe("releaseDriftWarnings", () => {
  const stack = (container: Record<string, unknown>, task: Record<string, unknown> = {}, family = "acme-api-report-job-staging") => ({
    resource: { aws_ecs_task_definition: { job: { family, container_definitions: JSON.stringify([{ image: "busybox:1.36", ...container }]), lifecycle: { ignore_changes: "all" }, ...task } } },
  });
  const job = [{ name: "report", kind: "job" as const, family: "acme-api-report-job-staging" }];

  test.each([
    ["a task-level field", stack({}), stack({}, { memory: "512" }), [/^staging: scheduledTasks\[report\] task memory changed since the last synth\. .*the job get it with the next release.*deploy staging report \(after the apply/]],
    ["a job's image", stack({}), stack({ image: "busybox:1.37" }), [/^staging: scheduledTasks\[report\] image changed since the last synth \(busybox:1\.36 → busybox:1\.37\)\..*--image busybox:1\.37$/]],
    ["config and image together: two warnings", stack({}), stack({ image: "busybox:1.37", cpu: 256 }), [/ cpu changed since/, / image changed since/]],
    ["environment in another order", stack({ environment: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }), stack({ environment: [{ name: "B", value: "2" }, { name: "A", value: "1" }] }), []],
    ["only the lifecycle", stack({}), { resource: { aws_ecs_task_definition: { job: { ...stack({}).resource.aws_ecs_task_definition.job, lifecycle: {} } } } }, []],
    ["a family missing before", { resource: {} }, stack({ image: "busybox:1.37" }), []],
    ["a family missing after", stack({}), stack({ image: "x:1" }, {}, "other"), []],
  ])("%s", (_case, previous, next, expected) => {
    expect(releaseDriftWarnings("staging", job, previous, next)).toEqual(expected.map((pattern) => expect.stringMatching(pattern)));
  });
});
