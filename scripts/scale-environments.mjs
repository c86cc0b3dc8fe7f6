// The benchmark's scale case: many environments with many services each, generated from the shipped
// environments at bench time (never committed), so the case grows with the platform's features.

/**
 * `environments` environments of `services` services each: the shipped environments taken in turn,
 * each renamed and its web services repeated (renamed, each copy on a path of its own and ordered
 * before the original) until it has `services` services. The originals keep their names, so jobs
 * still find their service; daemons (one task per instance) are not repeated.
 * @param {Readonly<Record<string, object>>} shipped raw environment configs, by stack name
 * @param {{ environments: number, services: number }} size
 * @returns {Record<string, object>} raw environment configs, by stack name
 */
export function scaleEnvironments(shipped, { environments, services }) {
  const templates = Object.values(shipped);
  if (templates.length === 0) throw new Error("no shipped environment to scale");
  return Object.fromEntries(
    Array.from({ length: environments }, (_, index) => {
      const template = templates[index % templates.length];
      const environment = `scale${String(index).padStart(2, "0")}`;
      return [environment, { ...template, environment, services: repeatServices(template.services ?? [], services) }];
    }),
  );
}

function repeatServices(originals, count) {
  const web = originals.filter((service) => service.kind !== "daemon");
  if (web.length === 0) return originals;
  const copies = Array.from({ length: Math.max(0, count - originals.length) }, (_, index) => {
    const template = web[index % web.length];
    const name = `${template.name}-${Math.floor(index / web.length) + 1}`;
    return { ...template, name, pathPatterns: [`/${name}/*`], listenerPriority: index + 1 };
  });
  return [...originals, ...copies];
}
