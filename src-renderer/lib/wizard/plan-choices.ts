// The choices for what, when and how long (the wizard's, and Settings' plan editor's), what they
// become in a plan, and back again.
import type { ExcludePresetId, Retention, Schedule } from '../api/index.ts';

/** "manual" and "interval" (other than hourly) are offered only for plans that already have them. */
export type ScheduleChoice = 'hourly' | 'daily' | 'cron' | 'manual' | 'interval';

/** What the schedule editor binds to (the wizard's draft has these fields, and so does a plan's). */
export interface ScheduleFields {
  scheduleChoice: ScheduleChoice;
  dailyAt: string;
  cron: string;
  cronValid: boolean;
  /** For "interval": the plan's minutes, kept as they were. */
  minutes: number;
}

/** What the folders editor binds to. `excludes` (custom patterns) only where the editor shows them. */
export interface SourceFields {
  sources: string[];
  excludePresets: ExcludePresetId[];
  excludes?: string[];
  /** Folders the size estimate found missing or unreadable, kept by the editor. */
  sourceProblems: { path: string; message: string }[];
}

/** Trimmed, without empty entries and duplicates. */
export function cleanList(list: readonly string[]): string[] {
  return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
}

/** Why these folders cannot be saved yet, or null. */
export function sourcesProblem(f: SourceFields): string | null {
  const sources = cleanList(f.sources);
  if (sources.length === 0) return 'Type at least one folder to back up.';
  for (const s of sources) if (!(s.startsWith('/') || s === '~' || s.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(s))) return `"${s}" is not a full path: start it with / or ~.`;
  // A folder that is not there would make the first backup fail: say so now, where it can be fixed.
  if (f.sourceProblems.length > 0) return `${f.sourceProblems[0]!.path}: ${f.sourceProblems[0]!.message}. Fix the path or remove it.`;
  return null;
}

/** Why this schedule cannot be saved yet, or null. */
export function scheduleProblem(f: ScheduleFields): string | null {
  if (f.scheduleChoice === 'cron' && !f.cronValid) return 'Fix the cron expression first.';
  if (f.scheduleChoice === 'daily' && !/^\d\d:\d\d$/.test(f.dailyAt)) return 'Choose the time of the daily backup.';
  return null;
}

/** The cron expression of "every day at HH:MM". */
export function dailyExpression(dailyAt: string): string {
  const [h, m] = dailyAt.split(':').map(Number);
  return `${m} ${h} * * *`;
}

/** A saved schedule as the editor's fields: "every day at" when the cron expression is just that. */
export function fromSchedule(s: Schedule): Omit<ScheduleFields, 'cronValid'> {
  const base = { scheduleChoice: 'daily' as ScheduleChoice, dailyAt: '12:00', cron: '0 */4 * * *', minutes: 60 };
  switch (s.kind) {
    case 'manual':
      return { ...base, scheduleChoice: 'manual' };
    case 'interval':
      return { ...base, scheduleChoice: s.minutes === 60 ? 'hourly' : 'interval', minutes: s.minutes };
    case 'cron': {
      const daily = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(s.expression.trim());
      if (daily && Number(daily[1]) < 60 && Number(daily[2]) < 24) {
        return { ...base, dailyAt: `${daily[2]!.padStart(2, '0')}:${daily[1]!.padStart(2, '0')}` };
      }
      return { ...base, scheduleChoice: 'cron', cron: s.expression };
    }
  }
}

export function toSchedule(choice: ScheduleChoice, dailyAt: string, cron: string, minutes = 60): Schedule {
  switch (choice) {
    case 'manual':
      return { kind: 'manual' };
    case 'interval':
      return { kind: 'interval', minutes };
    case 'hourly':
      return { kind: 'interval', minutes: 60 };
    case 'daily':
      return { kind: 'cron', expression: dailyExpression(dailyAt) };
    case 'cron':
      return { kind: 'cron', expression: cron.trim() };
  }
}

/** What each exclude preset leaves out, in words (the wizard, the plan editor and the summary). */
export const EXCLUDE_PRESET_LABELS: Record<ExcludePresetId, string> = {
  caches: 'Caches and temporary files',
  trash: 'Trash',
  node_modules: 'Installed JavaScript packages (node_modules)',
  'build-output': 'Build output of software projects',
  'vm-images': 'Virtual machine disk images',
};

/** The presets chosen, as a phrase for a summary ("Trash, Virtual machine disk images"). */
export function excludedInWords(presets: readonly ExcludePresetId[]): string {
  return presets.length ? presets.map((id) => EXCLUDE_PRESET_LABELS[id]).join(', ') : 'Nothing';
}

export type RetentionChoice = 'standard' | 'long' | 'recent' | 'everything';

export const RETENTION_PRESETS: Record<RetentionChoice, { label: string; explain: string; retention: NonNullable<Retention> }> = {
  standard: {
    label: 'Standard',
    explain: 'The 5 newest snapshots, then one for each of the last 24 hours, 7 days, 4 weeks and 12 months. A year of history, with more detail for recent changes.',
    // keepLast too: by the day alone, a second backup on the same day would remove the first.
    retention: { keepLast: 5, keepHourly: 24, keepDaily: 7, keepWeekly: 4, keepMonthly: 12 },
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
