import { describe, expect, test } from "vitest";
import { ScalableTarget, type StepAlarmProps } from "../../modules/compute/scalable-target";
import { ENVIRONMENTS } from "../../stacks/environments";
import { scalingSignalConflicts } from "../support/scaling-signals";
import { synthConstructs, synthEnvironment } from "../support/synth";

const FLEET = {
  serviceNamespace: "ec2",
  resourceId: "spot-fleet-request/sfr-0123456789abcdef0",
  scalableDimension: "ec2:spot-fleet-request:TargetCapacity",
  minCapacity: 2,
  maxCapacity: 8,
};
const TARGET = "ec2 spot-fleet-request/sfr-0123456789abcdef0 ec2:spot-fleet-request:TargetCapacity";
const reservation = (metricName: string, threshold: number): StepAlarmProps => ({
  alarmName: `${metricName}-${threshold}`,
  alarmDescription: `scaling on ${metricName}`,
  namespace: "AWS/ECS",
  metricName,
  dimensions: { ClusterName: "c" },
  threshold,
});
const cpuTracking = (disableScaleIn: boolean) => ({
  policyName: "fleet-cpu",
  predefinedMetricType: "EC2SpotFleetRequestAverageCPUUtilization",
  targetValue: 65,
  scaleInCooldownSeconds: 300,
  scaleOutCooldownSeconds: 60,
  disableScaleIn,
});
const stepOut = (alarms: StepAlarmProps[]) => ({ policyName: "fleet-out", cooldownSeconds: 60, steps: [{ fromAboveThreshold: 0, adjustment: 1 }], alarms });

describe("no scaling policy removes capacity on a signal other than the ones that add it", () => {
  test.each(Object.keys(ENVIRONMENTS) as Array<keyof typeof ENVIRONMENTS>)("GIVEN the shipped %s stack WHEN its scaling policies are compared THEN none fight", (name) => {
    const { json } = synthEnvironment(name);
    expect(scalingSignalConflicts(json)).toEqual([]);
  });

  test.each<[string, (target: ScalableTarget) => void, string[]]>([
    [
      // The finding: reservation adds instances, fleet CPU removes them after the cooldown.
      "CPU target tracking with scale-in beside step scale-out on CPU and memory reservation",
      (target) => {
        target.addTargetTrackingPolicy("cpu", cpuTracking(false));
        target.addStepScalingPolicy("out", stepOut([reservation("CPUReservation", 80), reservation("MemoryReservation", 80)]));
      },
      [
        `${TARGET}: fleet-cpu scales in on AWS/EC2Spot CPUUtilization [FleetRequestId], but fleet-out scales out on AWS/ECS CPUReservation [ClusterName]`,
        `${TARGET}: fleet-cpu scales in on AWS/EC2Spot CPUUtilization [FleetRequestId], but fleet-out scales out on AWS/ECS MemoryReservation [ClusterName]`,
      ],
    ],
    [
      "scale-in on reservation beside CPU target tracking that only adds",
      (target) => {
        target.addTargetTrackingPolicy("cpu", cpuTracking(true));
        target.addStepScaleInPolicy("in", { policyName: "fleet-in", removeCapacity: 1, cooldownSeconds: 600, alarms: [reservation("CPUReservation", 40)] });
      },
      [`${TARGET}: fleet-in scales in on AWS/ECS CPUReservation [ClusterName], but fleet-cpu scales out on AWS/EC2Spot CPUUtilization [FleetRequestId]`],
    ],
    [
      "scale-in on CPU reservation alone beside scale-out on CPU or memory reservation",
      (target) => {
        target.addStepScalingPolicy("out", stepOut([reservation("CPUReservation", 80), reservation("MemoryReservation", 80)]));
        target.addStepScaleInPolicy("in", { policyName: "fleet-in", removeCapacity: 1, cooldownSeconds: 600, alarms: [reservation("CPUReservation", 40)] });
      },
      [`${TARGET}: fleet-in scales in on AWS/ECS CPUReservation [ClusterName], but fleet-out scales out on AWS/ECS MemoryReservation [ClusterName]`],
    ],
    ["CPU target tracking that only adds, beside reservation scale-out", (target) => {
      target.addTargetTrackingPolicy("cpu", cpuTracking(true));
      target.addStepScalingPolicy("out", stepOut([reservation("CPUReservation", 80)]));
    }, []],
    ["scale-out and scale-in on the same reservation metric", (target) => {
      target.addStepScalingPolicy("out", stepOut([reservation("CPUReservation", 80)]));
      target.addStepScaleInPolicy("in", { policyName: "fleet-in", removeCapacity: 1, cooldownSeconds: 600, alarms: [reservation("CPUReservation", 40)] });
    }, []],
  ])("GIVEN %s WHEN compared THEN the conflicts are listed", (_case, build, expected) => {
    const json = synthConstructs((scope) => build(new ScalableTarget(scope, "fleet", FLEET)));
    expect(scalingSignalConflicts(json)).toEqual(expected);
  });

  test("GIVEN two target tracking policies with scale-in WHEN compared THEN they gate each other (scale-in needs both low)", () => {
    const json = synthConstructs((scope) => {
      const target = new ScalableTarget(scope, "service", { ...FLEET, serviceNamespace: "ecs", resourceId: "service/c/api", scalableDimension: "ecs:service:DesiredCount" });
      target.addTargetTrackingPolicy("cpu", { ...cpuTracking(false), policyName: "api-cpu", predefinedMetricType: "ECSServiceAverageCPUUtilization" });
      target.addTargetTrackingPolicy("memory", { ...cpuTracking(false), policyName: "api-memory", predefinedMetricType: "ECSServiceAverageMemoryUtilization" });
    });
    expect(scalingSignalConflicts(json)).toEqual([]);
  });
});
