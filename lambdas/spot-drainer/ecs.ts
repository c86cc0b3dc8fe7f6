import {
  ContainerInstance,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  DesiredStatus,
  ECSClient,
  Failure,
  ListContainerInstancesCommand,
  ListTasksCommand,
  Service,
  StopTaskCommand,
  Task,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import { Retry, chunk, collectPages } from "./util";

// API limits: DescribeTasks and DescribeContainerInstances take <= 100 ARNs, DescribeServices <= 10 services.
const DESCRIBE_TASKS_MAX = 100;
const DESCRIBE_CONTAINER_INSTANCES_MAX = 100;
const DESCRIBE_SERVICES_MAX = 10;

export type ContainerInstanceLookup =
  | { kind: "found"; instance: ContainerInstance }
  | { kind: "missing"; failures: Failure[] };

/** ARNs of this cluster's container instances backed by the EC2 instance (no status filter: ACTIVE and DRAINING both count). */
export function listContainerInstanceArns(ecs: ECSClient, retry: Retry, cluster: string, instanceId: string): Promise<string[]> {
  return collectPages(retry, async (nextToken) => {
    const page = await ecs.send(
      new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == ${instanceId}`, nextToken }),
    );
    return { items: page.containerInstanceArns, nextToken: page.nextToken };
  });
}

export async function describeContainerInstance(
  ecs: ECSClient,
  retry: Retry,
  cluster: string,
  containerInstanceArn: string,
): Promise<ContainerInstanceLookup> {
  const out = await retry(() =>
    ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [containerInstanceArn] })),
  );
  const instance = out.containerInstances?.find((ci) => ci.containerInstanceArn === containerInstanceArn);
  return instance ? { kind: "found", instance } : { kind: "missing", failures: out.failures ?? [] };
}

/** Returns the API's per-instance failures (the call itself succeeds even when the transition is refused). */
export function setDraining(ecs: ECSClient, retry: Retry, cluster: string, containerInstanceArn: string): Promise<Failure[]> {
  return setState(ecs, retry, cluster, containerInstanceArn, "DRAINING");
}

/** Puts a drained instance back into service: ECS places tasks on it again. Returns the per-instance failures. */
export function setActive(ecs: ECSClient, retry: Retry, cluster: string, containerInstanceArn: string): Promise<Failure[]> {
  return setState(ecs, retry, cluster, containerInstanceArn, "ACTIVE");
}

async function setState(ecs: ECSClient, retry: Retry, cluster: string, containerInstanceArn: string, status: "ACTIVE" | "DRAINING"): Promise<Failure[]> {
  const out = await retry(() => ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [containerInstanceArn], status })));
  return out.failures ?? [];
}

/** The cluster's ACTIVE container instances (with their registration time and agent state). */
export async function describeActiveContainerInstances(ecs: ECSClient, retry: Retry, cluster: string): Promise<ContainerInstance[]> {
  const arns = await collectPages(retry, async (nextToken) => {
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster, status: "ACTIVE", nextToken }));
    return { items: page.containerInstanceArns, nextToken: page.nextToken };
  });
  const instances: ContainerInstance[] = [];
  for (const arnsChunk of chunk(arns, DESCRIBE_CONTAINER_INSTANCES_MAX)) {
    const out = await retry(() => ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arnsChunk })));
    instances.push(...(out.containerInstances ?? []));
  }
  return instances;
}

/**
 * Tasks whose desired status is still RUNNING (ListTasks' default), i.e. not already being stopped by ECS;
 * with `desiredStatus: "STOPPED"`, the ones ECS is stopping or has stopped (DEACTIVATING, STOPPING, STOPPED).
 */
export function listTaskArns(
  ecs: ECSClient,
  retry: Retry,
  cluster: string,
  containerInstance: string,
  desiredStatus?: DesiredStatus,
): Promise<string[]> {
  return collectPages(retry, async (nextToken) => {
    const page = await ecs.send(new ListTasksCommand({ cluster, containerInstance, nextToken, ...(desiredStatus && { desiredStatus }) }));
    return { items: page.taskArns, nextToken: page.nextToken };
  });
}

export async function describeTasks(ecs: ECSClient, retry: Retry, cluster: string, taskArns: string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const tasksChunk of chunk(taskArns, DESCRIBE_TASKS_MAX)) {
    const out = await retry(() => ecs.send(new DescribeTasksCommand({ cluster, tasks: tasksChunk })));
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

export async function describeServices(
  ecs: ECSClient,
  retry: Retry,
  cluster: string,
  serviceNames: string[],
): Promise<{ services: Service[]; failures: Failure[] }> {
  const services: Service[] = [];
  const failures: Failure[] = [];
  for (const namesChunk of chunk(serviceNames, DESCRIBE_SERVICES_MAX)) {
    const out = await retry(() => ecs.send(new DescribeServicesCommand({ cluster, services: namesChunk })));
    services.push(...(out.services ?? []));
    failures.push(...(out.failures ?? []));
  }
  return { services, failures };
}

export async function stopTask(ecs: ECSClient, retry: Retry, cluster: string, task: string, reason: string): Promise<void> {
  await retry(() => ecs.send(new StopTaskCommand({ cluster, task, reason })));
}
