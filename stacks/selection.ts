/** The variable that limits synthesis to some environments, e.g. `PLATFORM_ENVIRONMENTS=staging`. */
export const ENVIRONMENTS_VARIABLE = "PLATFORM_ENVIRONMENTS";

/**
 * Which environments to synthesize: all of them, or the comma-separated list in
 * PLATFORM_ENVIRONMENTS. Unknown names are an error rather than a silently empty synth.
 */
export function selectEnvironments(available: readonly string[], requested: string | undefined): string[] {
  if (requested === undefined || requested.trim() === "") return [...available];
  const names = requested.split(",").map((name) => name.trim()).filter((name) => name.length > 0);
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new Error(`${ENVIRONMENTS_VARIABLE}: unknown environment(s) ${unknown.join(", ")}; known: ${available.join(", ")}`);
  }
  return [...new Set(names)];
}
