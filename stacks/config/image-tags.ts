import type { EnvironmentConfig } from "./index";

/**
 * True when an image reference can point at another build tomorrow: no tag, or `latest`. A digest
 * (`@sha256:…`) or any other tag passes; a tag that is re-pushed is the team's own promise.
 */
export function isMutableImageReference(image: string): boolean {
  if (image.includes("@")) return false;
  const name = image.slice(image.lastIndexOf("/") + 1);
  const colon = name.lastIndexOf(":");
  return colon < 0 || name.slice(colon + 1) === "latest";
}

/**
 * Warnings (never errors: a first deploy may well start from `latest`) for services and jobs whose
 * image is mutable. Tasks that Spot replacements and autoscaling start later pull whatever the tag
 * points to then, so one service runs two builds and a rollback has no earlier build to return to.
 */
export function mutableImageWarnings(config: Pick<EnvironmentConfig, "services" | "scheduledTasks">): string[] {
  const images = [
    ...config.services.map((service) => ({ path: `services[${service.name}].image`, image: service.image })),
    ...config.scheduledTasks.flatMap((job) => (job.image === undefined ? [] : [{ path: `scheduledTasks[${job.name}].image`, image: job.image }])),
  ];
  return images
    .filter(({ image }) => isMutableImageReference(image))
    .map(
      ({ path, image }) =>
        `${path}: "${image}" is a mutable tag: tasks that Spot replacements and autoscaling start later pull whatever it points to then, so one service can run two builds and a rollback has nothing to return to. Pin a version tag or a digest (@sha256:…).`,
    );
}
