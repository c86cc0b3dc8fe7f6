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

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly extra?: RegExp;
}

const CRON_FIELDS: readonly CronField[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31, extra: /^(L|LW|([1-9]|[12]\d|3[01])W)$/ },
  { min: 1, max: 12, names: MONTHS },
  { min: 1, max: 7, names: WEEKDAYS, extra: /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$|^L$/ },
  { min: 1970, max: 2199 },
];

function cronValue(token: string, field: CronField): number | undefined {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    return value >= field.min && value <= field.max ? value : undefined;
  }
  const index = field.names?.indexOf(token) ?? -1;
  return index >= 0 ? index + field.min : undefined;
}

function isValidCronItem(item: string, field: CronField): boolean {
  if (item === "*") return true;
  if (field.extra?.test(item)) return true;
  const [range, step, ...rest] = item.split("/");
  if (rest.length > 0) return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return false;
  if (range === "*") return step !== undefined;
  const bounds = range.split("-");
  if (bounds.length > 2) return false;
  const values = bounds.map((bound) => cronValue(bound, field));
  if (values.some((value) => value === undefined)) return false;
  return values.length === 1 || (values[0] as number) <= (values[1] as number);
}

/** EventBridge schedule: `rate(N unit)` or the 6-field `cron(...)` with exactly one of day-of-month/day-of-week as `?`. */
export function isValidScheduleExpression(expression: string): boolean {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const amount = Number(rate[1]);
    // EventBridge wants the singular unit for 1 and the plural for more.
    return amount > 0 && (amount === 1) === !rate[2].endsWith("s");
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return false;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return false;
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) return false;
  return fields.every((text, index) => {
    if (text === "?") return index === 2 || index === 4;
    return text.toUpperCase().split(",").every((item) => isValidCronItem(item, CRON_FIELDS[index]));
  });
}
