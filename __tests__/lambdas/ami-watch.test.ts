import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  InstanceRefreshInProgressFault,
  StartInstanceRefreshCommand,
} from "@aws-sdk/client-auto-scaling";
import { handler } from "../../lambdas/ami-watch/handler";
import { AMI_WATCH_METRICS } from "../../lambdas/ami-watch/metrics";

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const autoscaling = mockClient(AutoScalingClient);

const ARM64_PARAM = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended";
const X86_PARAM = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended";
const TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:acme-platform-alerts";

// Recommended AMIs, in the shape of the public parameter value (see retrieve-ecs-optimized_AMI docs).
const NEW_ARM64 = { id: "ami-0a1b2c3d4e5f60718", name: "al2023-ami-ecs-hvm-2023.0.20250224-kernel-6.1-arm64" };
const NEW_X86 = { id: "ami-0f9e8d7c6b5a49382", name: "al2023-ami-ecs-hvm-2023.0.20250224-kernel-6.1-x86_64" };
const OLD_ARM64 = { id: "ami-01234abcd5678ef90", name: "al2023-ami-ecs-hvm-2023.0.20250115-kernel-6.1-arm64" };
const OLD_X86 = { id: "ami-0fedc98765ba43210", name: "al2023-ami-ecs-hvm-2023.0.20250115-kernel-6.1-x86_64" };

function parameterValue(ami: { id: string; name: string }, arch: string): string {
  return JSON.stringify({
    ecs_agent_version: "1.89.3",
    ecs_runtime_version: "Docker version 25.0.8",
    image_id: ami.id,
    image_name: ami.name,
    image_version: "2023.0.20250224",
    os: "Amazon Linux 2023",
    schema_version: 1,
    source_image_name: `al2023-ami-minimal-2023.6.20250218.2-kernel-6.1-${arch}`,
  });
}

function recommendedParameter(name: string, value: string) {
  return {
    Parameter: {
      Name: name,
      Type: "String" as const,
      Value: value,
      Version: 142,
      LastModifiedDate: new Date("2025-02-25T18:41:12Z"),
      ARN: `arn:aws:ssm:eu-west-1::parameter${name}`,
      DataType: "text",
    },
  };
}

interface Pool {
  name: string;
  launchTemplateId: string;
  asgName: string;
  architecture: "arm64" | "x86_64";
  pinnedAmiId?: string;
}

const SPOT_ARM64: Pool = {
  name: "spot",
  launchTemplateId: "lt-0a1b2c3d4e5f60001",
  asgName: "acme-api-spot-production",
  architecture: "arm64",
};
const SPOT_X86: Pool = {
  name: "spot-x86",
  launchTemplateId: "lt-0a1b2c3d4e5f60002",
  asgName: "acme-api-spot-x86-production",
  architecture: "x86_64",
};
const ON_DEMAND_ARM64: Pool = {
  name: "on-demand",
  launchTemplateId: "lt-0a1b2c3d4e5f60003",
  asgName: "acme-api-on-demand-production",
  architecture: "arm64",
};

function setEnv(pools: Pool[], extra: Record<string, string | undefined> = {}): void {
  vi.stubEnv("ENVIRONMENT", "production");
  vi.stubEnv("STACK_NAME", "acme-api-production");
  vi.stubEnv("TOPIC_ARN", TOPIC_ARN);
  vi.stubEnv("POOLS", JSON.stringify(pools));
  for (const [k, v] of Object.entries(extra)) vi.stubEnv(k, v);
}

function givenTemplateImage(launchTemplateId: string, imageId: string): void {
  ec2.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: launchTemplateId }).resolves({
    LaunchTemplateVersions: [
      {
        LaunchTemplateId: launchTemplateId,
        LaunchTemplateName: `acme-api-${launchTemplateId}`,
        VersionNumber: 7,
        DefaultVersion: true,
        LaunchTemplateData: { ImageId: imageId, InstanceType: "m7g.large" },
      },
    ],
  });
}

function givenAsgInstances(asgName: string, instances: { id: string; state: string; ami: string }[]): void {
  autoscaling.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: [asgName] }).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: asgName,
        MinSize: 1,
        MaxSize: 6,
        DesiredCapacity: instances.length,
        DefaultCooldown: 300,
        AvailabilityZones: ["eu-west-1a", "eu-west-1b"],
        HealthCheckType: "EC2",
        CreatedTime: new Date("2025-01-02T10:00:00Z"),
        Instances: instances.map((i) => ({
          InstanceId: i.id,
          LifecycleState: i.state as "InService",
          HealthStatus: "Healthy",
          AvailabilityZone: "eu-west-1a",
          ProtectedFromScaleIn: true,
        })),
      },
    ],
  });
  ec2.on(DescribeInstancesCommand).callsFake(({ InstanceIds }: { InstanceIds: string[] }) => ({
    Reservations: [
      {
        Instances: instances
          .filter((i) => InstanceIds.includes(i.id))
          .map((i) => ({ InstanceId: i.id, ImageId: i.ami, State: { Name: "running" as const, Code: 16 } })),
      },
    ],
  }));
}

const RESOLVE_ARM64 = `resolve:ssm:${ARM64_PARAM}/image_id`;

function publishedMessage(): { Subject: string; Message: string } {
  const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
  return { Subject: input?.Subject ?? "", Message: input?.Message ?? "" };
}

let logs: Record<string, unknown>[];
/** Lines written straight to stdout: the embedded-metric-format documents. */
let stdoutLines: Record<string, unknown>[];

/** The summary the run logged as it finished (a run that failed a pool rejects after logging it). */
const finishedSummary = (): Record<string, unknown> | undefined => logs.find((line) => line.message === "AMI watch finished");

beforeEach(() => {
  logs = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => logs.push(JSON.parse(line)));
  stdoutLines = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdoutLines.push(JSON.parse(String(chunk)));
    return true;
  });
  ssm.on(GetParameterCommand, { Name: ARM64_PARAM }).resolves(recommendedParameter(ARM64_PARAM, parameterValue(NEW_ARM64, "arm64")));
  ssm.on(GetParameterCommand, { Name: X86_PARAM }).resolves(recommendedParameter(X86_PARAM, parameterValue(NEW_X86, "x86_64")));
  ec2.on(DescribeImagesCommand).resolves({
    Images: [OLD_ARM64, OLD_X86, NEW_ARM64, NEW_X86].map((a) => ({ ImageId: a.id, Name: a.name })),
  });
  sns.on(PublishCommand).resolves({ MessageId: "5b1c6f3e-8f1a-5a2c-9d4e-0f1e2d3c4b5a" });
  autoscaling.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: "08b91cf7-8fa6-48af-b6a6-d227f40f1b9b" });
});

afterEach(() => {
  ssm.reset();
  ec2.reset();
  sns.reset();
  autoscaling.reset();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** The one EMF document of the run, checked against the EMF specification's rules for the fields it declares. */
function publishedMetrics(): Record<string, unknown> {
  expect(stdoutLines).toHaveLength(1);
  const document = stdoutLines[0] as { _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } } & Record<string, unknown>;
  const [directive] = document._aws.CloudWatchMetrics;
  expect(Number.isInteger(document._aws.Timestamp)).toBe(true);
  expect(directive?.Namespace).toBe(AMI_WATCH_METRICS.namespace);
  expect(directive?.Dimensions).toEqual([[AMI_WATCH_METRICS.dimension]]);
  expect(directive?.Metrics.map((metric) => metric.Name).sort()).toEqual(Object.values(AMI_WATCH_METRICS.names).sort());
  for (const metric of directive?.Metrics ?? []) expect(typeof document[metric.Name]).toBe("number");
  return Object.fromEntries(Object.entries(document).filter(([key]) => key !== "_aws"));
}

describe("ami-watch metrics (embedded metric format)", () => {
  test.each([
    {
      case: "one pool current, one outdated",
      pools: [SPOT_ARM64, SPOT_X86],
      given: () => {
        givenTemplateImage(SPOT_ARM64.launchTemplateId, NEW_ARM64.id);
        givenTemplateImage(SPOT_X86.launchTemplateId, OLD_X86.id);
      },
      env: {},
      metrics: { PoolsChecked: 2, PoolsOutdated: 1, PoolsFailed: 0, RefreshesStarted: 0 },
    },
    {
      case: "an outdated SSM-resolving pool with auto refresh",
      pools: [SPOT_ARM64],
      given: () => {
        givenTemplateImage(SPOT_ARM64.launchTemplateId, RESOLVE_ARM64);
        givenAsgInstances(SPOT_ARM64.asgName, [{ id: "i-0aaa1111bbbb22223", state: "InService", ami: OLD_ARM64.id }]);
      },
      env: { AUTO_REFRESH: "true" },
      metrics: { PoolsChecked: 1, PoolsOutdated: 1, PoolsFailed: 0, RefreshesStarted: 1 },
    },
  ])("GIVEN $case WHEN run THEN one EMF line counts it for the environment, without a CloudWatch call", async ({ pools, given, env, metrics }) => {
    setEnv(pools, env);
    given();

    await handler();

    expect(publishedMetrics()).toEqual({ Environment: "production", ...metrics });
  });

  test("GIVEN a pool that cannot be checked WHEN run THEN the failure is counted before the run fails", async () => {
    setEnv([SPOT_ARM64, SPOT_X86]);
    ec2.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: SPOT_ARM64.launchTemplateId }).rejects(
      Object.assign(new Error("The specified launch template does not exist."), { name: "InvalidLaunchTemplateId.NotFound" }),
    );
    givenTemplateImage(SPOT_X86.launchTemplateId, NEW_X86.id);

    await expect(handler()).rejects.toThrow("could not check pool(s) spot of");

    expect(publishedMetrics()).toEqual({ Environment: "production", PoolsChecked: 1, PoolsOutdated: 0, PoolsFailed: 1, RefreshesStarted: 0 });
  });
});

describe("ami-watch handler", () => {
  test("GIVEN every pool on the recommended AMI WHEN run THEN nothing is published", async () => {
    setEnv([SPOT_ARM64]);
    givenTemplateImage(SPOT_ARM64.launchTemplateId, NEW_ARM64.id);

    const summary = await handler();

    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, {
      LaunchTemplateId: SPOT_ARM64.launchTemplateId,
      Versions: ["$Latest"],
    });
    expect(summary).toEqual({
      checkedPools: ["spot"],
      failedPools: [],
      outdatedPools: [],
      refreshesStarted: [],
      messagePublished: false,
    });
  });

  test.each([
    { stackName: "acme-api-production", expectedCommand: "cdktf deploy acme-api-production" },
    { stackName: undefined, expectedCommand: "cdktf deploy production" },
  ])(
    "GIVEN an outdated launch template (STACK_NAME=$stackName) WHEN run THEN one message names both AMIs and `$expectedCommand`",
    async ({ stackName, expectedCommand }) => {
      setEnv([SPOT_ARM64]);
      if (stackName === undefined) vi.stubEnv("STACK_NAME", undefined);
      givenTemplateImage(SPOT_ARM64.launchTemplateId, OLD_ARM64.id);

      const summary = await handler();

      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      const { Subject, Message } = publishedMessage();
      expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC_ARN });
      expect(Subject).toBe("[production] ECS-optimized AMI update available (1 pool)");
      expect(Message).toContain(`${OLD_ARM64.id} (${OLD_ARM64.name})`);
      expect(Message).toContain(`${NEW_ARM64.id} (${NEW_ARM64.name})`);
      expect(Message).toContain("pool spot (ASG acme-api-spot-production, arm64)");
      expect(Message).toContain(expectedCommand);
      expect(summary).toMatchObject({ outdatedPools: ["spot"], messagePublished: true });
    },
  );

  test("GIVEN DescribeImages fails WHEN an outdated pool is reported THEN the message still has the AMI ids", async () => {
    setEnv([SPOT_ARM64]);
    givenTemplateImage(SPOT_ARM64.launchTemplateId, OLD_ARM64.id);
    ec2.on(DescribeImagesCommand).rejects(Object.assign(new Error("The image id '[ami-01234abcd5678ef90]' does not exist"), { name: "InvalidAMIID.NotFound" }));

    await handler();

    const { Message } = publishedMessage();
    expect(Message).toContain(`old AMI (launch template): ${OLD_ARM64.id}\n`);
    expect(Message).toContain(`${NEW_ARM64.id} (${NEW_ARM64.name})`);
    expect(logs).toContainEqual(expect.objectContaining({ level: "warn", errorName: "InvalidAMIID.NotFound" }));
  });

  test("GIVEN a long environment name WHEN publishing THEN the subject stays within 100 characters", async () => {
    setEnv([SPOT_ARM64], { ENVIRONMENT: `preview-${"x".repeat(120)}` });
    givenTemplateImage(SPOT_ARM64.launchTemplateId, OLD_ARM64.id);

    await handler();

    expect(publishedMessage().Subject.length).toBeLessThanOrEqual(100);
  });

  test("GIVEN arm64 and x86_64 pools, one up to date WHEN run THEN one GetParameter per architecture and one message with only the outdated pools", async () => {
    setEnv([SPOT_ARM64, SPOT_X86, ON_DEMAND_ARM64]);
    givenTemplateImage(SPOT_ARM64.launchTemplateId, OLD_ARM64.id);
    givenTemplateImage(SPOT_X86.launchTemplateId, OLD_X86.id);
    givenTemplateImage(ON_DEMAND_ARM64.launchTemplateId, NEW_ARM64.id);

    const summary = await handler();

    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: ARM64_PARAM });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: X86_PARAM });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const { Subject, Message } = publishedMessage();
    expect(Subject).toBe("[production] ECS-optimized AMI update available (2 pools)");
    expect(Message).toContain("pool spot (ASG acme-api-spot-production, arm64)");
    expect(Message).toContain("pool spot-x86 (ASG acme-api-spot-x86-production, x86_64)");
    expect(Message).toContain(`${OLD_X86.id} (${OLD_X86.name})`);
    expect(Message).toContain(`${NEW_X86.id} (${NEW_X86.name})`);
    expect(Message).not.toContain("on-demand");
    expect(summary).toMatchObject({ checkedPools: ["spot", "spot-x86", "on-demand"], outdatedPools: ["spot", "spot-x86"] });
  });

  describe("SSM failure", () => {
    const notFound = new ParameterNotFound({ message: "", $metadata: { httpStatusCode: 400 } });
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });

    test.each([
      { case: "ParameterNotFound", error: notFound, errorName: "ParameterNotFound" },
      { case: "throttling", error: throttled, errorName: "ThrottlingException" },
    ])("GIVEN GetParameter fails with $case for the only architecture WHEN run THEN it logs, publishes nothing and fails the run naming the pool", async ({ error, errorName }) => {
      setEnv([SPOT_ARM64]);
      givenTemplateImage(SPOT_ARM64.launchTemplateId, OLD_ARM64.id);
      ssm.on(GetParameterCommand).rejects(error);

      await expect(handler()).rejects.toThrow("could not check pool(s) spot of production");

      expect(sns).not.toHaveReceivedCommand(PublishCommand);
      expect(logs).toContainEqual(expect.objectContaining({ level: "info", message: "AMI watch finished", checkedPools: [], failedPools: ["spot"], messagePublished: false }));
      expect(logs).toContainEqual(expect.objectContaining({ level: "error", architecture: "arm64", errorName }));
    });

    test("GIVEN GetParameter returns a value without image_id WHEN run THEN it is treated as a failure", async () => {
      setEnv([SPOT_ARM64]);
      givenTemplateImage(SPOT_ARM64.launchTemplateId, OLD_ARM64.id);
      ssm.on(GetParameterCommand).resolves(recommendedParameter(ARM64_PARAM, JSON.stringify({ schema_version: 1 })));

      await expect(handler()).rejects.toThrow("could not check pool(s) spot");
      expect(sns).not.toHaveReceivedCommand(PublishCommand);
    });

    test("GIVEN arm64 fails and x86_64 works WHEN run THEN the x86_64 pool is still reported, then the run fails", async () => {
      setEnv([SPOT_ARM64, SPOT_X86]);
      givenTemplateImage(SPOT_ARM64.launchTemplateId, OLD_ARM64.id);
      givenTemplateImage(SPOT_X86.launchTemplateId, OLD_X86.id);
      ssm.on(GetParameterCommand, { Name: ARM64_PARAM }).rejects(throttled);

      await expect(handler()).rejects.toThrow("could not check pool(s) spot of");
      const summary = finishedSummary();

      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      const { Message } = publishedMessage();
      expect(Message).toContain("pool spot-x86");
      expect(Message).not.toContain("pool spot ");
      expect(summary).toMatchObject({ checkedPools: ["spot-x86"], failedPools: ["spot"], outdatedPools: ["spot-x86"] });
    });
  });

  test("GIVEN a pool's launch template cannot be read WHEN run THEN that pool fails and the others are still reported", async () => {
    setEnv([SPOT_ARM64, SPOT_X86]);
    ec2.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: SPOT_ARM64.launchTemplateId }).rejects(
      Object.assign(new Error("The specified launch template does not exist."), { name: "InvalidLaunchTemplateId.NotFound" }),
    );
    givenTemplateImage(SPOT_X86.launchTemplateId, OLD_X86.id);

    await expect(handler()).rejects.toThrow("could not check pool(s) spot of");

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(finishedSummary()).toMatchObject({ failedPools: ["spot"], outdatedPools: ["spot-x86"], messagePublished: true });
    expect(logs).toContainEqual(expect.objectContaining({ level: "error", pool: "spot" }));
  });

  describe("launch template using resolve:ssm", () => {
    test("GIVEN InService instances on the old and new AMI WHEN run THEN only InService instance AMIs are compared", async () => {
      setEnv([SPOT_ARM64]);
      givenTemplateImage(SPOT_ARM64.launchTemplateId, RESOLVE_ARM64);
      givenAsgInstances(SPOT_ARM64.asgName, [
        { id: "i-0aaa1111bbbb22223", state: "InService", ami: OLD_ARM64.id },
        { id: "i-0aaa1111bbbb22224", state: "InService", ami: NEW_ARM64.id },
        { id: "i-0aaa1111bbbb22225", state: "Pending", ami: NEW_ARM64.id },
      ]);

      const summary = await handler();

      expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, {
        InstanceIds: ["i-0aaa1111bbbb22223", "i-0aaa1111bbbb22224"],
      });
      const { Message } = publishedMessage();
      expect(Message).toContain(`old AMI (running): ${OLD_ARM64.id} (${OLD_ARM64.name})\n`);
      expect(Message).toContain(`new AMI (recommended): ${NEW_ARM64.id}`);
      expect(Message).toContain(`aws autoscaling start-instance-refresh --auto-scaling-group-name ${SPOT_ARM64.asgName}`);
      expect(summary.outdatedPools).toEqual(["spot"]);
    });

    test.each([
      { case: "all instances already on the recommended AMI", instances: [{ id: "i-0aaa1111bbbb22223", state: "InService", ami: NEW_ARM64.id }] },
      { case: "no InService instances", instances: [] },
    ])("GIVEN $case WHEN run THEN nothing is published", async ({ instances }) => {
      setEnv([SPOT_ARM64]);
      givenTemplateImage(SPOT_ARM64.launchTemplateId, RESOLVE_ARM64);
      givenAsgInstances(SPOT_ARM64.asgName, instances);

      const summary = await handler();

      expect(sns).not.toHaveReceivedCommand(PublishCommand);
      expect(summary).toMatchObject({ checkedPools: ["spot"], outdatedPools: [] });
    });
  });

  describe("auto refresh", () => {
    const REFRESH_ID = "08b91cf7-8fa6-48af-b6a6-d227f40f1b9b";

    function givenOutdatedResolvingPool(pool: Pool): void {
      givenTemplateImage(pool.launchTemplateId, RESOLVE_ARM64);
      givenAsgInstances(pool.asgName, [{ id: "i-0aaa1111bbbb22223", state: "InService", ami: OLD_ARM64.id }]);
    }

    test.each([
      { env: {}, preferences: { MinHealthyPercentage: 90 } },
      { env: { MIN_HEALTHY_PERCENTAGE: "75", INSTANCE_WARMUP_SECONDS: "120" }, preferences: { MinHealthyPercentage: 75, InstanceWarmup: 120 } },
    ])("GIVEN AUTO_REFRESH=true and $env WHEN an SSM-resolving pool is outdated THEN a refresh is started with $preferences", async ({ env, preferences }) => {
      setEnv([SPOT_ARM64], { AUTO_REFRESH: "true", ...env });
      givenOutdatedResolvingPool(SPOT_ARM64);

      const summary = await handler();

      expect(autoscaling).toHaveReceivedCommandTimes(StartInstanceRefreshCommand, 1);
      expect(autoscaling).toHaveReceivedCommandWith(StartInstanceRefreshCommand, {
        AutoScalingGroupName: SPOT_ARM64.asgName,
        Preferences: { ...preferences, SkipMatching: false, ScaleInProtectedInstances: "Refresh" },
      });
      expect(publishedMessage().Message).toContain(`instance refresh started (id ${REFRESH_ID})`);
      expect(summary.refreshesStarted).toEqual([{ pool: "spot", instanceRefreshId: REFRESH_ID }]);
    });

    test.each([{ AUTO_REFRESH: "false" }, {}])("GIVEN auto refresh off (%o) WHEN pools are outdated THEN StartInstanceRefresh is never called", async (env) => {
      setEnv([SPOT_ARM64, SPOT_X86], env);
      givenOutdatedResolvingPool(SPOT_ARM64);
      givenTemplateImage(SPOT_X86.launchTemplateId, OLD_X86.id);

      const summary = await handler();

      expect(autoscaling).not.toHaveReceivedCommand(StartInstanceRefreshCommand);
      expect(summary).toMatchObject({ outdatedPools: ["spot", "spot-x86"], refreshesStarted: [] });
    });

    test("GIVEN a pinned outdated pool WHEN auto refresh is on THEN it is reported with the pin but not refreshed", async () => {
      const pinned = { ...SPOT_ARM64, pinnedAmiId: OLD_ARM64.id };
      setEnv([pinned], { AUTO_REFRESH: "true" });
      givenOutdatedResolvingPool(pinned);

      const summary = await handler();

      expect(autoscaling).not.toHaveReceivedCommand(StartInstanceRefreshCommand);
      expect(publishedMessage().Message).toContain(
        `pinned to ${OLD_ARM64.id} (${OLD_ARM64.name}); newer recommended ${NEW_ARM64.id} available, update the pin`,
      );
      expect(summary).toMatchObject({ outdatedPools: ["spot"], refreshesStarted: [] });
    });

    test("GIVEN a launch template naming the AMI WHEN auto refresh is on THEN it is not refreshed (would relaunch the old AMI) and the message says to deploy", async () => {
      setEnv([SPOT_X86], { AUTO_REFRESH: "true" });
      givenTemplateImage(SPOT_X86.launchTemplateId, OLD_X86.id);

      await handler();

      expect(autoscaling).not.toHaveReceivedCommand(StartInstanceRefreshCommand);
      expect(publishedMessage().Message).toContain("not refreshed automatically");
      expect(publishedMessage().Message).toContain("cdktf deploy acme-api-production");
    });

    test("GIVEN a refresh is already in progress WHEN auto refresh is on THEN it is reported as such, not as a failure", async () => {
      setEnv([SPOT_ARM64], { AUTO_REFRESH: "true" });
      givenOutdatedResolvingPool(SPOT_ARM64);
      autoscaling.on(StartInstanceRefreshCommand).rejects(
        new InstanceRefreshInProgressFault({
          message: "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.",
          $metadata: { httpStatusCode: 400 },
        }),
      );

      const summary = await handler();

      expect(publishedMessage().Message).toContain("instance refresh already in progress");
      expect(summary).toMatchObject({ refreshesStarted: [], messagePublished: true });
      expect(logs).not.toContainEqual(expect.objectContaining({ level: "error" }));
    });

    test("GIVEN StartInstanceRefresh fails otherwise WHEN auto refresh is on THEN the error is logged and reported in the message", async () => {
      setEnv([SPOT_ARM64], { AUTO_REFRESH: "true" });
      givenOutdatedResolvingPool(SPOT_ARM64);
      autoscaling.on(StartInstanceRefreshCommand).rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDenied" }));

      await handler();

      expect(publishedMessage().Message).toContain("instance refresh could NOT be started: User is not authorized");
      expect(logs).toContainEqual(expect.objectContaining({ level: "error", errorName: "AccessDenied" }));
    });
  });

  test.each([
    { case: "missing TOPIC_ARN", env: { TOPIC_ARN: undefined }, error: /TOPIC_ARN/ },
    { case: "TOPIC_ARN not an SNS ARN", env: { TOPIC_ARN: "acme-platform-alerts" }, error: /TOPIC_ARN/ },
    { case: "missing ENVIRONMENT", env: { ENVIRONMENT: undefined }, error: /ENVIRONMENT/ },
    { case: "missing POOLS", env: { POOLS: undefined }, error: /POOLS/ },
    { case: "invalid POOLS JSON", env: { POOLS: "[{name: spot}]" }, error: /POOLS is not valid JSON/ },
    { case: "empty POOLS", env: { POOLS: "[]" }, error: /POOLS must be a non-empty JSON array/ },
    { case: "bad architecture", env: { POOLS: JSON.stringify([{ ...SPOT_ARM64, architecture: "aarch64" }]) }, error: /POOLS\[0\]\.architecture/ },
    { case: "missing asgName", env: { POOLS: JSON.stringify([{ ...SPOT_ARM64, asgName: undefined }]) }, error: /POOLS\[0\]\.asgName/ },
    { case: "bad AUTO_REFRESH", env: { AUTO_REFRESH: "yes" }, error: /AUTO_REFRESH/ },
    { case: "bad MIN_HEALTHY_PERCENTAGE", env: { MIN_HEALTHY_PERCENTAGE: "ninety" }, error: /MIN_HEALTHY_PERCENTAGE/ },
  ])("GIVEN $case WHEN run THEN it fails naming the variable and calls no AWS API", async ({ env, error }) => {
    setEnv([SPOT_ARM64]);
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);

    await expect(handler()).rejects.toThrow(error);

    expect(ssm).not.toHaveReceivedAnyCommand();
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});
