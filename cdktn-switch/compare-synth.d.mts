export const ALLOWED: readonly string[];
export function compareOutputs(cdktfDir: string, cdktnDir: string): string[];
