import { ECSClient, ECSServiceException, type Deployment, type Service, type TaskDefinition } from "@aws-sdk/client-ecs";
import { main } from "../../release/cli";
import { fakeClock as sharedFakeClock } from "../support/fake-clock";
import { EXAMPLES } from "../support/examples";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
export const CLUSTER = "acme-api-production";
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
export const FAMILY = "acme-api-api-production";
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/acme-api:1.5.0`;
export const OLD_IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/acme-api:1.4.2`;
export const T0 = Date.parse("2026-11-29T12:00:00Z");

export const revisionArn = (revision: number, family = FAMILY) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
export const taskArn = (id = "0123456789abcdef0123456789abcdef") => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`;
/** The Terraform-owned family of the service's config revisions (releases register into FAMILY). */
export const CONFIG_FAMILY = `${FAMILY}_config`;
export const serviceDeploymentArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${CLUSTER}/api/${id}`;
export const serviceRevisionArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${CLUSTER}/api/${id}`;

/** The shared fake clock, starting at T0 unless told otherwise. */
export const fakeClock = (start = T0) => sharedFakeClock(start);

/** One entry of `service.deployments`, as DescribeServices returns it. */
export function deployment(id: string, revision: number, status: "PRIMARY" | "ACTIVE", rolloutState: Deployment["rolloutState"], counts: Partial<Deployment> = {}): Deployment {
  return {
    id,
    status,
    taskDefinition: revisionArn(revision),
    desiredCount: 4,
    runningCount: rolloutState === "COMPLETED" ? 4 : 0,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState,
    rolloutStateReason: rolloutState === "COMPLETED" ? "ECS deployment ecs-svc/1 completed." : "ECS deployment in progress.",
    createdAt: new Date(T0 - 3_600_000),
    updatedAt: new Date(T0),
    ...counts,
  };
}

export const OLD_DEPLOYMENT = "ecs-svc/1111111111111111111";
export const NEW_DEPLOYMENT = "ecs-svc/2222222222222222222";

/** The production `api` service as DescribeServices returns it, with the given deployments. */
export function apiService(deployments: Deployment[], events: Array<{ id: string; message: string }> = []): Service {
  return {
    serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/api`,
    serviceName: "api",
    clusterArn: CLUSTER_ARN,
    status: "ACTIVE",
    desiredCount: 4,
    runningCount: 4,
    pendingCount: 0,
    taskDefinition: deployments.find((candidate) => candidate.status === "PRIMARY")?.taskDefinition,
    capacityProviderStrategy: [
      { capacityProvider: "acme-api-on-demand-production", weight: 1, base: 2 },
      { capacityProvider: "acme-api-spot-production", weight: 4, base: 0 },
    ],
    deploymentConfiguration: {
      minimumHealthyPercent: 50,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ["acme-api-api-production-target-5xx", "acme-api-api-production-unhealthy-targets"], enable: true, rollback: true },
    },
    deploymentController: { type: "ECS" },
    deployments,
    events: events.map((event, index) => ({ ...event, createdAt: new Date(T0 - index * 1000) })),
  };
}

/** A described revision the way ECS returns it: read-only fields, an empty variable, tags with the reserved prefix. */
export function liveTaskDefinition(revision: number, image = OLD_IMAGE, family = FAMILY, container = "api"): { taskDefinition: TaskDefinition; tags: Array<{ key: string; value: string }> } {
  return {
    taskDefinition: {
      taskDefinitionArn: revisionArn(revision, family),
      family,
      revision,
      status: "ACTIVE",
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${family.replace(/-production$/, "")}-task-production`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${family.replace(/-production$/, "")}-execution-production`,
      networkMode: "bridge",
      requiresCompatibilities: ["EC2"],
      compatibilities: ["EC2"],
      requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
      placementConstraints: [],
      volumes: [],
      registeredAt: new Date(T0 - 86_400_000),
      registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/acme-api-deploy-production/GitHubActions`,
      containerDefinitions: [
        {
          name: container,
          image,
          cpu: 512,
          memory: 1024,
          memoryReservation: 768,
          essential: true,
          portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
          environment: [
            { name: "FEATURE_FLAGS", value: "" },
            { name: "NODE_ENV", value: "production" },
          ],
          secrets: [{ name: "DATABASE_URL", valueFrom: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/acme-api/production/database-url` }],
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/ecs/${family}`, "awslogs-region": REGION, "awslogs-stream-prefix": container, mode: "non-blocking" } },
        },
      ],
    },
    tags: [
      { key: "team", value: "payments" },
      { key: "aws:cloudformation:stack-name", value: "legacy" },
    ],
  };
}

/** A modeled-looking AWS error as the SDK throws it (ThrottlingException is not an ECS class; its name is what matters). */
export function awsError(name: string, message: string, httpStatusCode = 400): ECSServiceException {
  return new ECSServiceException({ name, message, $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode } });
}

/** Runs the CLI with the shipped examples (support/examples.ts), a fake clock and (mocked) SDK clients; `signal` stands for SIGINT/SIGTERM. */
export async function runCli(argv: string[], clock: ReturnType<typeof fakeClock> = fakeClock(), signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    environments: EXAMPLES,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    clock,
    ecsClient: (region) => new ECSClient({ region, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } }),
    signal,
  });
  const stdout = out.join("");
  return { code, stdout, stderr: err.join(""), json: () => JSON.parse(stdout) as Record<string, any>, clock };
}
