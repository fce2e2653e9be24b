// The wizard's choices for when and how long, and what they become in a plan.
import type { Retention, Schedule } from '../api/index.ts';

export type ScheduleChoice = 'hourly' | 'daily' | 'cron';

export function toSchedule(choice: ScheduleChoice, dailyAt: string, cron: string): Schedule {
  switch (choice) {
    case 'hourly':
      return { kind: 'interval', minutes: 60 };
    case 'daily': {
      const [h, m] = dailyAt.split(':').map(Number);
      return { kind: 'cron', expression: `${m} ${h} * * *` };
    }
    case 'cron':
      return { kind: 'cron', expression: cron.trim() };
  }
}

export type RetentionChoice = 'standard' | 'long' | 'recent' | 'everything';

export const RETENTION_PRESETS: Record<RetentionChoice, { label: string; explain: string; retention: NonNullable<Retention> }> = {
  standard: {
    label: 'Standard',
    explain: 'One snapshot for each of the last 7 days, each of the last 4 weeks and each of the last 12 months. A year of history, with more detail for recent changes.',
    retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 },
  },
  long: {
    label: 'Long history',
    explain: 'The last 24 hours by the hour, 14 days, 8 weeks, 24 months and 10 years. Uses more space; good for documents you may need from long ago.',
    retention: { keepHourly: 24, keepDaily: 14, keepWeekly: 8, keepMonthly: 24, keepYearly: 10 },
  },
  recent: {
    label: 'Recent only',
    explain: 'The 10 newest snapshots. Uses the least space, but older versions of your files disappear quickly.',
    retention: { keepLast: 10 },
  },
  everything: {
    label: 'Keep everything',
    explain: 'No snapshot is ever removed. The repository only grows: fine while there is space.',
    retention: {},
  },
};
