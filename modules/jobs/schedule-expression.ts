/** EventBridge schedule expressions: the check the job construct makes and the config schema reports, free of cdktf. */

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
