import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { loadConfig, type FallbackConfig } from "../../lambdas/spot-fallback/config";
import { tick, type TickResult } from "../../lambdas/spot-fallback/handler";
import { FALLBACK_METRICS } from "../../lambdas/spot-fallback/metrics";
import { fakeClock } from "../support/fake-clock";
import { resourcesOfType, synthExample } from "../support/synth";
import { BOOT_SECONDS, STEP_SECONDS, SpotFleetWorld, SpotGroupWorld, TASK_START_SECONDS, type PoolModel, type Sample } from "./support/spot-world";
import type { ExampleName } from "../support/examples";

/**
 * The fallback's control loop, simulated: the real handler (`tick`) with the settings the shipped stacks give
 * it, against a model of the Spot ASG or Spot Fleet (./support/spot-world.ts) under a fake clock, minute by
 * minute through an outage and back. Each scenario shows when the services' tasks run again, on what, and
 * when the capacity is back on Spot.
 */

const autoscaling = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const clients = { autoscaling: new AutoScalingClient({}), ec2: new EC2Client({}), ssm: new SSMClient({}) };
const START = Date.parse("2026-12-06T08:00:00Z");

/** The fallback's configuration exactly as the shipped stack passes it to the function. */
function shippedConfig(env: ExampleName): FallbackConfig {
  const fn = resourcesOfType(synthExample(env).json, "aws_lambda_function").find((candidate) => String(candidate.function_name).includes("spot-fallback"));
  if (!fn) throw new Error(`${env} has no Spot fallback function`);
  return loadConfig(fn.environment.variables as Record<string, string>);
}

interface Run {
  readonly samples: Sample[];
  readonly ticks: Array<{ minute: number } & TickResult>;
  readonly metrics: Array<Record<string, unknown>>;
}

/** Steps the world and runs the controller every check interval, for `minutes`. */
async function simulate(world: SpotGroupWorld | SpotFleetWorld, config: FallbackConfig, clock: ReturnType<typeof fakeClock>, minutes: number): Promise<Run> {
  autoscaling.reset();
  ec2.reset();
  ssm.reset();
  if (world instanceof SpotGroupWorld) world.serve(autoscaling);
  else world.serve(autoscaling, ec2);
  world.serveState(ssm, config.stateParameterName);
  const metrics: Array<Record<string, unknown>> = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((line) => {
    metrics.push(JSON.parse(String(line)) as Record<string, unknown>);
    return true;
  });
  const ticks: Run["ticks"] = [];
  for (let second = 0; second < minutes * 60; second += STEP_SECONDS) {
    world.step();
    if (second % 60 === 0) ticks.push({ minute: second / 60, ...(await tick(clients, config, clock.now())) });
    await clock.sleep(STEP_SECONDS * 1000);
  }
  stdout.mockRestore();
  return { samples: world.samples, ticks, metrics };
}

/** First minute at or after `from` from which every task runs for the rest of `until` (or the run). */
function recoveredAt(samples: Sample[], wanted: number, from: number, until = Infinity): number | undefined {
  const window = samples.filter((sample) => sample.minute >= from && sample.minute < until);
  const index = window.findIndex((_sample, i) => window.slice(i).every((later) => later.running === wanted));
  return index < 0 ? undefined : window[index].minute;
}

const always = () => true;
const outFrom = (from: number, to = Infinity) => (minute: number) => minute < from || minute >= to;

let logs: ReturnType<typeof vi.spyOn>;
beforeAll(() => {
  logs = vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterAll(() => {
  logs.mockRestore();
  autoscaling.reset();
  ec2.reset();
  ssm.reset();
});

describe("capacity-providers mode (production's settings): the Spot ASG's on-demand base", () => {
  const config = shippedConfig("production");
  const settings = config.settings;
  const TASKS = 16;
  const PER_INSTANCE = 2;
  /** The bound the config promises: sustain, one check interval, then boot and task start (plus the model's step). */
  const boundMinutes = (settings.sustainSeconds + 60 + BOOT_SECONDS + TASK_START_SECONDS + 2 * STEP_SECONDS) / 60;

  test("GIVEN the shipped production settings THEN the simulation runs them (capacity-providers, 3 min sustain, a cap)", () => {
    expect(config.capacity.mode).toBe("capacity-providers");
    expect(settings).toMatchObject({ sustainSeconds: 180, recoveryHoldSeconds: 900, recoveryStepInstances: 1, recoveryStepIntervalSeconds: 300 });
    expect(settings.maxAddedInstances).toBeGreaterThanOrEqual(TASKS / PER_INSTANCE);
  });

  test("GIVEN one pool reclaimed and out for an hour, the others with room WHEN simulated THEN Spot itself replaces it and nothing falls back", async () => {
    const clock = fakeClock(START);
    const pools: PoolModel[] = [
      { name: "m7i.large/a", launchable: outFrom(10, 70), reclaimAt: [10] },
      { name: "m6i.large/b", launchable: always },
      { name: "m6a.large/c", launchable: always },
    ];
    const world = new SpotGroupWorld(clock, pools, TASKS, PER_INSTANCE, groupName(config), 0);
    const run = await simulate(world, config, clock, 120);
    const back = recoveredAt(run.samples, TASKS, 10);
    expect(back).toBeDefined();
    expect(back! - 10).toBeLessThanOrEqual((BOOT_SECONDS + TASK_START_SECONDS + STEP_SECONDS) / 60 + 1);
    expect(run.ticks.every((result) => result.added === 0 && result.state.phase === "spot")).toBe(true);
    expect(run.samples.every((sample) => sample.onDemand === 0)).toBe(true);
    report("capacity-providers, one pool out (others with room)", back! - 10, run, 70);
  });

  test("GIVEN one pool reclaimed and out while the other pools hold only 4 WHEN simulated THEN only the missing 4 move to on-demand, within the bound, and back to Spot after", async () => {
    const clock = fakeClock(START);
    const pools: PoolModel[] = [
      { name: "m7i.large/a", launchable: outFrom(10, 70), reclaimAt: [10] },
      { name: "m6i.large/b", size: 2, launchable: always },
      { name: "m6a.large/c", size: 2, launchable: always },
    ];
    const world = new SpotGroupWorld(clock, pools, TASKS, PER_INSTANCE, groupName(config), 0);
    const run = await simulate(world, config, clock, 180);
    const back = recoveredAt(run.samples, TASKS, 10, 70);
    expect(back).toBeDefined();
    expect(back! - 10).toBeLessThanOrEqual(boundMinutes + 1);
    expect(Math.max(...run.ticks.map((result) => result.added))).toBe(4);
    expect(Math.max(...run.samples.map((sample) => sample.onDemand))).toBe(4);
    // Recovery: the pool is back at minute 70; every task keeps running while on-demand is given back one at a time.
    expect(run.samples.filter((sample) => sample.minute >= back!).every((sample) => sample.running === TASKS)).toBe(true);
    // Each hold ends in a probe: one instance back to Spot. While the pool is out the probe fails and is undone
    // at once (the hold doubles); once it is back, the 4 steps go through, one per step interval.
    const steps = run.ticks.filter((result) => result.events.includes("stepped-down")).map((result) => result.minute);
    const flaps = run.ticks.filter((result) => result.events.includes("flapped")).map((result) => result.minute);
    const probesDuringOutage = steps.filter((minute) => minute < 70);
    expect(probesDuringOutage.length).toBeGreaterThanOrEqual(1);
    expect(probesDuringOutage.every((minute) => flaps.some((flap) => flap > minute && flap - minute <= 2))).toBe(true);
    const stepsBack = steps.filter((minute) => minute >= 70);
    expect(stepsBack).toHaveLength(4);
    expect(stepsBack.slice(1).every((minute, i) => minute - stepsBack[i] >= settings.recoveryStepIntervalSeconds / 60)).toBe(true);
    expect(flaps.every((minute) => minute < 70)).toBe(true);
    const end = run.samples.at(-1)!;
    expect(end).toMatchObject({ onDemand: 0, spot: TASKS / PER_INSTANCE, running: TASKS });
    expect(run.ticks.at(-1)!.state.phase).toBe("spot");
    report("capacity-providers, one pool out (others hold 4)", back! - 10, run, 70);
  });

  test("GIVEN every pool reclaimed and out for 60 minutes WHEN simulated THEN all capacity runs on on-demand within the bound, alerts, and returns to Spot gradually without dropping a task", async () => {
    const clock = fakeClock(START);
    const pools: PoolModel[] = ["a", "b", "c"].map((zone) => ({ name: `m7i.large/${zone}`, launchable: outFrom(10, 70), reclaimAt: [10] }));
    const world = new SpotGroupWorld(clock, pools, TASKS, PER_INSTANCE, groupName(config), 0);
    const run = await simulate(world, config, clock, 240);
    const back = recoveredAt(run.samples, TASKS, 10, 70);
    expect(back).toBeDefined();
    expect(back! - 10).toBeLessThanOrEqual(boundMinutes + 1);
    const started = run.ticks.find((result) => result.events.includes("fallback-started"))!;
    // Asked for within sustain + one check interval of the first failed launch (just after the reclaim at minute 10).
    expect(started.minute - 10).toBeLessThanOrEqual((settings.sustainSeconds + 60 + STEP_SECONDS) / 60);
    expect(started.added).toBe(TASKS / PER_INSTANCE);
    expect(run.samples.find((sample) => sample.minute === 40)).toMatchObject({ onDemand: TASKS / PER_INSTANCE, spot: 0, running: TASKS });
    // The alert: FallbackActive is 1 from the start of the fallback until the last step back, then 0.
    const active = run.metrics.map((doc) => doc[FALLBACK_METRICS.names.fallbackActive]);
    expect(active.indexOf(1)).toBe(started.minute);
    expect(active.at(-1)).toBe(0);
    expect(run.samples.filter((sample) => sample.minute >= back!).every((sample) => sample.running === TASKS)).toBe(true);
    expect(run.samples.at(-1)).toMatchObject({ onDemand: 0, spot: TASKS / PER_INSTANCE, running: TASKS });
    report("capacity-providers, every pool out", back! - 10, run, 70);
  });

  test("GIVEN a flapping pool (launches fail again right after it returns) WHEN simulated THEN each failed step back is undone at once, the hold doubles, no task is dropped, and it ends on Spot", async () => {
    const clock = fakeClock(START);
    // Out from minute 10, back at 40, out again 52-62 and 90-110 (launches only; what runs is not reclaimed), then stable.
    const launchable = (minute: number) => !(minute >= 10 && minute < 40) && !(minute >= 52 && minute < 62) && !(minute >= 90 && minute < 110);
    const pools: PoolModel[] = [{ name: "m7i.large/a", launchable: (minute) => launchable(minute), reclaimAt: [10] }];
    const world = new SpotGroupWorld(clock, pools, TASKS, PER_INSTANCE, groupName(config), 0);
    const run = await simulate(world, config, clock, 360);
    const back = recoveredAt(run.samples, TASKS, 10);
    expect(back).toBeDefined();
    expect(back! - 10).toBeLessThanOrEqual(boundMinutes + 1);
    const flaps = run.ticks.filter((result) => result.events.includes("flapped"));
    expect(flaps.length).toBeGreaterThanOrEqual(1);
    // Every flap doubles the hold (up to the maximum).
    const holds = flaps.map((result) => result.state.holdSeconds);
    expect(holds[0]).toBe(Math.min(settings.maxRecoveryHoldSeconds, settings.recoveryHoldSeconds * 2));
    expect(holds.every((hold, i) => i === 0 || hold >= holds[i - 1])).toBe(true);
    expect(run.samples.filter((sample) => sample.minute >= back!).every((sample) => sample.running === TASKS)).toBe(true);
    expect(run.samples.at(-1)).toMatchObject({ onDemand: 0, spot: TASKS / PER_INSTANCE, running: TASKS });
    report("capacity-providers, flapping pool", back! - 10, run, 110);
  });

  test("GIVEN every pool out and a cost cap of 5 WHEN simulated THEN the fallback stops at 5 on-demand instances and says it is capped", async () => {
    const clock = fakeClock(START);
    const capped: FallbackConfig = { ...config, settings: { ...settings, maxAddedInstances: 5 } };
    const pools: PoolModel[] = [{ name: "m7i.large/a", launchable: outFrom(10), reclaimAt: [10] }];
    const world = new SpotGroupWorld(clock, pools, TASKS, PER_INSTANCE, groupName(config), 0);
    const run = await simulate(world, capped, clock, 40);
    expect(Math.max(...run.samples.map((sample) => sample.onDemand))).toBe(5);
    expect(run.samples.at(-1)).toMatchObject({ onDemand: 5, running: 5 * PER_INSTANCE });
    expect(run.metrics.at(-1)).toMatchObject({ [FALLBACK_METRICS.names.fallbackCapped]: 1, [FALLBACK_METRICS.names.onDemandInstancesAdded]: 5 });
  });
});

describe("spot-fleet mode (staging's settings): the on-demand ASG's size", () => {
  const config = shippedConfig("staging");
  const settings = config.settings;
  const boundMinutes = (settings.sustainSeconds + 60 + BOOT_SECONDS + TASK_START_SECONDS + 2 * STEP_SECONDS) / 60;
  const lever = config.capacity.mode === "spot-fleet" ? config.capacity : undefined;

  test("GIVEN the shipped staging settings THEN the simulation runs them (spot-fleet, floor 0, room for 1)", () => {
    expect(lever).toMatchObject({ mode: "spot-fleet", onDemandFloor: 0, onDemandInstanceWeight: 1 });
    expect(settings.maxAddedInstances).toBe(1);
  });

  test("GIVEN every fleet pool reclaimed and out for 60 minutes WHEN simulated THEN the on-demand ASG carries the tasks within the bound and gives them back to the fleet", async () => {
    const clock = fakeClock(START);
    const pools: PoolModel[] = ["t4g.medium", "t4g.large", "m7g.large", "c7g.large"].map((type) => ({ name: type, launchable: outFrom(10, 70), reclaimAt: [10] }));
    // Staging: two fleet instances, one task needing one instance.
    const world = new SpotFleetWorld(clock, pools, 1, 1, lever!.spotFleetRequestId, lever!.onDemandGroupName, 2, lever!.onDemandFloor);
    const run = await simulate(world, config, clock, 180);
    const back = recoveredAt(run.samples, 1, 10, 70);
    expect(back).toBeDefined();
    expect(back! - 10).toBeLessThanOrEqual(boundMinutes + 1);
    expect(Math.max(...run.samples.map((sample) => sample.onDemand))).toBe(1);
    expect(run.samples.filter((sample) => sample.minute >= back!).every((sample) => sample.running === 1)).toBe(true);
    expect(run.samples.at(-1)).toMatchObject({ onDemand: 0, spot: 2, running: 1 });
    expect(run.ticks.at(-1)!.state.phase).toBe("spot");
    report("spot-fleet, every pool out", back! - 10, run, 70);
  });

  test("GIVEN one fleet pool reclaimed and out WHEN simulated THEN the fleet relaunches in the other pools and nothing falls back", async () => {
    const clock = fakeClock(START);
    const pools: PoolModel[] = [
      { name: "t4g.medium", launchable: outFrom(10, 70), reclaimAt: [10] },
      { name: "t4g.large", launchable: always },
    ];
    const world = new SpotFleetWorld(clock, pools, 1, 1, lever!.spotFleetRequestId, lever!.onDemandGroupName, 2, lever!.onDemandFloor);
    const run = await simulate(world, config, clock, 60);
    expect(recoveredAt(run.samples, 1, 10)).toBeLessThanOrEqual(10 + (BOOT_SECONDS + TASK_START_SECONDS + STEP_SECONDS) / 60 + 1);
    expect(run.samples.every((sample) => sample.onDemand === 0)).toBe(true);
  });
});

function groupName(config: FallbackConfig): string {
  if (config.capacity.mode !== "capacity-providers") throw new Error("not capacity-providers mode");
  return config.capacity.spotGroupName;
}

/** One line per scenario for the report: minutes to recover, peak on-demand, minutes until back on Spot. */
function report(scenario: string, recoveryMinutes: number, run: Run, spotBackAt: number): void {
  const onSpot = run.samples.find((sample) => sample.minute >= spotBackAt && sample.onDemand === 0)?.minute;
  process.stderr.write(`simulation ${scenario}: tasks back in ${recoveryMinutes} min, peak on-demand ${Math.max(...run.samples.map((s) => s.onDemand))}, all on Spot ${onSpot === undefined ? "never" : `${onSpot - spotBackAt} min after Spot returned`}\n`);
}
