// A plan's schedule and the questions asked of it: is it valid, when is the next slot after a
// given instant, how long is one period (for "overdue"). Pure; croner does the calendar work in
// the local time zone (or the one given), so daylight-saving changes move slots as people expect.
import { Cron } from 'croner';
import { z } from 'zod';

export type Schedule =
  | { kind: 'manual' }
  | { kind: 'interval'; minutes: number }
  | { kind: 'cron'; expression: string };

/** Why a cron expression is refused, or null when croner accepts it. */
export function cronProblem(expression: string): string | null {
  try {
    // No callback: croner only parses, it starts no timer.
    new Cron(expression);
    return null;
  } catch (err) {
    return (err as Error).message;
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
      if (problem) ctx.addIssue({ code: 'custom', message: `not a valid cron expression (${problem})` });
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
