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

const CRON_FIELD_NAMES = ["minutes", "hours", "day-of-month", "month", "day-of-week", "year"];
const CRON_SHAPE = "cron(minutes hours day-of-month month day-of-week year)";

/**
 * What is wrong with an EventBridge schedule, or undefined when it is valid: `rate(N unit)` or the
 * 6-field `cron(...)` with exactly one of day-of-month/day-of-week as `?`. EventBridge evaluates both in UTC.
 */
export function scheduleProblem(expression: string): string | undefined {
  if (expression.startsWith("rate(")) return rateProblem(expression);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return `must be rate(N unit) or ${CRON_SHAPE}`;
  const fields = cron[1].trim().split(/\s+/).filter((field) => field !== "");
  if (fields.length !== 6) {
    const hint = fields.length === 5 ? " (a Unix cron has 5: add the year, e.g. cron(0 2 * * ? *), and put ? in day-of-month or day-of-week)" : "";
    return `has ${fields.length} cron fields, EventBridge needs 6: ${CRON_SHAPE}${hint}`;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return `exactly one of day-of-month ("${dayOfMonth}") and day-of-week ("${dayOfWeek}") must be ?, e.g. cron(0 2 * * ? *) or cron(0 2 ? * MON *)`;
  }
  for (const [index, text] of fields.entries()) {
    if (text === "?") {
      if (index === 2 || index === 4) continue;
      return `? is only allowed in day-of-month or day-of-week, not in ${CRON_FIELD_NAMES[index]}`;
    }
    const field = CRON_FIELDS[index];
    if (!text.toUpperCase().split(",").every((item) => isValidCronItem(item, field))) {
      const names = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : "";
      return `${CRON_FIELD_NAMES[index]} "${text}" is not valid: values ${field.min}-${field.max}${names}, with , - * /`;
    }
  }
  return undefined;
}

function rateProblem(expression: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!rate) {
    const unit = /^rate\(\S+ (\S+)\)$/.exec(expression)?.[1];
    if (unit !== undefined && !/^(minute|minutes|hour|hours|day|days)$/.test(unit)) {
      return `unit "${unit}" is not one EventBridge knows: use minute(s), hour(s) or day(s)`;
    }
    return "must be rate(N unit) with a whole number N > 0 and a unit of minute(s), hour(s) or day(s), e.g. rate(15 minutes)";
  }
  const amount = Number(rate[1]);
  if (amount === 0) return "the rate must be at least 1";
  // EventBridge wants the singular unit for 1 and the plural for more.
  const singular = rate[2].replace(/s$/, "");
  if (amount === 1 && rate[2].endsWith("s")) return `1 takes the singular unit: rate(1 ${singular})`;
  if (amount > 1 && !rate[2].endsWith("s")) return `${amount} takes the plural unit: rate(${amount} ${singular}s)`;
  return undefined;
}

/** EventBridge schedule: `rate(N unit)` or the 6-field `cron(...)` with exactly one of day-of-month/day-of-week as `?`. */
export function isValidScheduleExpression(expression: string): boolean {
  return scheduleProblem(expression) === undefined;
}
