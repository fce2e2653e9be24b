// A plan's schedule and the questions asked of it: is it valid, when is the next slot after a
// given instant, how long is one period (for "overdue"). Pure; croner does the calendar work in
// the local time zone (or the one given), so daylight-saving changes move slots as people expect.
import { Cron } from 'croner';
import { z } from 'zod';

export type Schedule =
  | { kind: 'manual' }
  | { kind: 'interval'; minutes: number }
  | { kind: 'cron'; expression: string };

const FIELD_RANGES: Record<string, string> = {
  second: 'second (0-59)', minute: 'minute (0-59)', hour: 'hour (0-23)', day: 'day of the month (1-31)',
  month: 'month (1-12 or JAN-DEC)', dayOfWeek: 'weekday (0-7 or SUN-SAT)',
};
const EXAMPLE = 'such as "0 3 * * *" for 03:00 every day';

/**
 * Why a cron expression is refused, in words a person can act on, or null when croner accepts it.
 * croner's own messages name its internals ("CronPattern: configuration entry 1 ...").
 */
export function cronProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5 && parts.length !== 6) {
    return `it needs five fields, minute hour day month weekday, ${EXAMPLE}; this one has ${parts.length}`;
  }
  try {
    // No callback: croner only parses, it starts no timer.
    new Cron(expression);
    return null;
  } catch (err) {
    const message = (err as Error).message;
    const field = /Invalid value for (\w+)/.exec(message)?.[1];
    if (field && FIELD_RANGES[field]) return `a value is out of range for the ${FIELD_RANGES[field]} field`;
    const token = /configuration entry \d+ \((.*?)\) contains illegal characters/.exec(message)?.[1];
    if (token !== undefined) return `"${token}" is not something a field understands: use numbers, *, ranges (1-5), lists (1,15) or steps (*/10), ${EXAMPLE}`;
    if (/stepping/i.test(message)) return 'a step (*/N) must be a whole number of at least 1';
    return `use five fields, minute hour day month weekday, ${EXAMPLE}`;
  }
}

export const ScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('manual') }),
  // At most a year: longer is a typo, and the overdue check doubles it.
  z.strictObject({ kind: z.literal('interval'), minutes: z.number().int().min(1).max(366 * 24 * 60) }),
  z.strictObject({
    kind: z.literal('cron'),
    expression: z.string().min(1).superRefine((expr, ctx) => {
      const problem = cronProblem(expr);
      if (problem) ctx.addIssue({ code: 'custom', message: `not a valid cron expression: ${problem}` });
    }),
  }),
]);

/** The first slot strictly after `after` (ms since the epoch), or null for a manual plan. */
export function nextSlot(schedule: Schedule, after: number, timezone?: string): number | null {
  switch (schedule.kind) {
    case 'manual':
      return null;
    case 'interval':
      return after + schedule.minutes * 60_000;
    case 'cron': {
      const next = new Cron(schedule.expression, { timezone }).nextRun(new Date(after));
      return next ? next.getTime() : null;
    }
  }
}

/**
 * The length of one period starting after `from`: the interval, or for cron the gap between the
 * two slots following `from` (a weekday-only schedule has a longer gap over the weekend, and the
 * overdue check should not fire on Sunday for a Friday backup).
 */
export function periodAfter(schedule: Schedule, from: number, timezone?: string): number | null {
  switch (schedule.kind) {
    case 'manual':
      return null;
    case 'interval':
      return schedule.minutes * 60_000;
    case 'cron': {
      const [a, b] = new Cron(schedule.expression, { timezone }).nextRuns(2, new Date(from));
      return a && b ? b.getTime() - a.getTime() : null;
    }
  }
}

export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'manual':
      return 'manual';
    case 'interval':
      return schedule.minutes % 60 === 0 ? `every ${schedule.minutes / 60} h` : `every ${schedule.minutes} min`;
    case 'cron':
      return `cron "${schedule.expression}"`;
  }
}
