/** Checks for values whose syntax types cannot express; each returns true when the value is valid. */

/** Seconds between the EC2 Spot interruption warning and the instance going away. */
export const SPOT_WARNING_SECONDS = 120;

/** The retention values CloudWatch Logs accepts (0 = never expire is deliberately absent). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function isValidCidr(value: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return false;
  // The address must be the network address: 10.0.0.1/16 is a typo Terraform would reject later.
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const hostBits = 2 ** (32 - prefix);
  return address % hostBits === 0;
}

/** A host name for an ALB host-header condition: labels of letters, digits, hyphens, with * and ? wildcards. */
export function isValidHostHeader(value: string): boolean {
  if (value.length === 0 || value.length > 128) return false;
  const labels = value.toLowerCase().split(".");
  return labels.length >= 2 && labels.every((label) => /^[a-z0-9*?]([a-z0-9*?-]{0,61}[a-z0-9*?])?$/.test(label));
}
