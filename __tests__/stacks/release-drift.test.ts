import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { synthesizeEnvironments } from "../../stacks/synthesize";

type Mutable = Record<string, any>;

/** Synthesizes staging (with `change` applied) into `outdir` and returns the warnings it gave. */
function synthStaging(outdir: string, change: (env: Mutable) => void = () => undefined): string[] {
  const staging = structuredClone(ENVIRONMENTS.staging) as Mutable;
  change(staging);
  const { warnings } = synthesizeEnvironments({
    environments: { ...ENVIRONMENTS, staging: staging as EnvironmentInput },
    selected: ["staging"],
    outdir,
  });
  // Spot pool advice is about capacity, not releases.
  return warnings.filter((warning) => !warning.startsWith("spot advice"));
}

describe("synth notes what it will not change: releases own a service's running revision", () => {
  test("a new image is reported once, on the synth that first contains it, with the command that ships it", () => {
    // GIVEN a previous synth in the output directory
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drift-")), "cdktf.out");
    expect(synthStaging(outdir)).toEqual([]);
    const newImage = (env: Mutable) => (env.services[0].image = "public.ecr.aws/nginx/nginx:1.28-alpine");

    // WHEN the image changes, and the next synth has the same config
    const first = synthStaging(outdir, newImage);
    const second = synthStaging(outdir, newImage);

    // THEN
    expect(first).toEqual([
      "staging: services[api] image changed since the last synth. cdktf deploy registers a new task definition revision, but the service keeps running the revision its last release deployed: releases own the running revision. Ship it with: npm run release -- deploy staging api --image public.ecr.aws/nginx/nginx:1.28-alpine",
    ]);
    expect(second).toEqual([]);
  });

  test("environment and secrets changes are named; settings Terraform does apply are not reported", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drift-")), "cdktf.out");
    synthStaging(outdir);
    const warnings = synthStaging(outdir, (env) => {
      env.services[0].environment = { LOG_LEVEL: "info" };
      env.services[0].secrets = { TOKEN: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/token" };
      env.services[0].desiredCount = 2;
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^staging: services\[api\] environment, secrets changed since the last synth/);
  });

  test("a fresh output directory has no baseline and reports nothing", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drift-")), "cdktf.out");
    expect(synthStaging(outdir, (env) => (env.services[0].image = "other:1"))).toEqual([]);
  });
});
