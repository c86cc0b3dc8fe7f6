/** Scheduled jobs and the EventBridge schedule field type. */
import { z } from "zod";
import { scheduleProblem } from "../../modules/jobs/schedule-expression";
import { containerUserSchema, readonlyRootFilesystemSchema, writablePathsSchema } from "./security";
import { ENV_VAR_NAME, dnsName, int } from "./fields";

/** An EventBridge schedule; the error says what is wrong with it (field count, unit, the `?` rule) and that it runs in UTC. */
export const schedule = () =>
  z.string().superRefine((expression, ctx) => {
    const problem = scheduleProblem(expression);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: scheduleMessage(expression, problem) });
  });
export const scheduleMessage = (expression: string, problem: string) => `"${expression}": ${problem} (schedules run in UTC)`;

/** CPU units and memory (MiB) of a job with its own image that sets none. */
const JOB_DEFAULTS = { cpu: 256, memory: 512 } as const;

export const scheduledTaskSchema = z
  .object({
    name: dnsName(32).describe("Job name, unique in the environment."),
    /** Checked below rather than with schedule() so that the error names the job. */
    schedule: z.string().describe("EventBridge schedule, in UTC: `cron(minutes hours day-of-month month day-of-week year)` with exactly one of the day fields `?`, or `rate(N minute|minutes|hour|hours|day|days)`."),
    service: z.string().optional().describe("Run this web service's task definition (with the overrides below). Exactly one of service / image."),
    image: z.string().min(1).optional().describe("Or run this image in a task definition of its own."),
    command: z.array(z.string()).default([]).describe("Container command override for the run."),
    environment: z.record(z.string().regex(ENV_VAR_NAME, "must be an environment variable name"), z.string()).default({}).describe("Environment variable overrides for the run."),
    /** For jobs with their own image; defaults applied below, so that one set on a service's job can be refused. */
    cpu: int(0, 196608).optional().describe(`CPU units of a job with its own image. Default: ${JOB_DEFAULTS.cpu}. Refused with \`service\` (the service's task definition sets it).`),
    memory: int(6, 1048576).optional().describe(`Memory (MiB) of a job with its own image. Default: ${JOB_DEFAULTS.memory}. Refused with \`service\` (the service's task definition sets it).`),
    taskCount: int(1, 10).default(1).describe("Tasks started per run."),
    enabled: z.boolean().default(true).describe("false pauses the job (the rule stays, disabled)."),
    retries: int(0, 10).default(0).describe("More than 0: run through Step Functions and retry when the task fails (e.g. a Spot interruption); such jobs may run more than once and must be idempotent."),
    capacityPool: z.enum(["default", "on-demand", "spot"]).default("default").describe("`default`: the environment's strategy; `on-demand` / `spot`: pin to one pool (capacity-providers mode only)."),
    readonlyRootFilesystem: readonlyRootFilesystemSchema(),
    writablePaths: writablePathsSchema(),
    user: containerUserSchema(),
  })
  .superRefine((job, ctx) => {
    const problem = scheduleProblem(job.schedule);
    if (problem !== undefined) {
      ctx.addIssue({ code: "custom", path: ["schedule"], message: `job "${job.name}": ${scheduleMessage(job.schedule, problem)}` });
    }
    if (job.retries > 0 && job.taskCount > 1) {
      // Step Functions' runTask.sync waits for one task; retrying a group of tasks as one unit is not what it does.
      ctx.addIssue({
        code: "custom",
        path: ["taskCount"],
        message: `job "${job.name}": must be 1 when retries > 0 (a retried job runs one task per execution; declare several jobs instead)`,
      });
    }
    if ((job.service === undefined) === (job.image === undefined)) {
      ctx.addIssue({ code: "custom", path: ["service"], message: "set exactly one of service or image" });
    }
    if (job.service !== undefined) {
      for (const field of ["cpu", "memory"] as const) {
        if (job[field] !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [field],
            message: `job "${job.name}": ${field} ${job[field]} would be ignored: the job runs service "${job.service}"'s task definition, which sets it. Remove ${field}, set it on service "${job.service}", or give the job an image of its own`,
          });
        }
      }
    }
  })
  .transform((job) => ({ ...job, cpu: job.cpu ?? JOB_DEFAULTS.cpu, memory: job.memory ?? JOB_DEFAULTS.memory }));
