// The app's own preferences (which events notify), in settings.json beside profiles.json. Kept
// apart from the profiles so their format and migrations stay as they are, and so a damaged
// preferences file never costs the user their plans: it is moved aside and the defaults apply.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CairnError } from '../../src-worker/index.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { describeIssues } from './schema.ts';

export const APP_SETTINGS_FILE = 'settings.json';

export const NotificationChoicesSchema = z.strictObject({
  /** First backup, backups working again, a backup started by hand, a finished restore. */
  success: z.boolean(),
  /** Failed backups and other failed jobs. */
  failure: z.boolean(),
  /** A plan whose backup is overdue. */
  overdue: z.boolean(),
});

export const AppSettingsSchema = z.strictObject({
  version: z.literal(1),
  notifications: NotificationChoicesSchema,
});

export type NotificationChoices = z.infer<typeof NotificationChoicesSchema>;
export type AppSettings = z.infer<typeof AppSettingsSchema>;

export function defaultAppSettings(): AppSettings {
  return { version: 1, notifications: { success: true, failure: true, overdue: true } };
}

export function appSettingsPath(dir: string): string {
  return path.join(dir, APP_SETTINGS_FILE);
}

/** The settings, or the defaults with a one-line warning when the file could not be used. */
export async function loadAppSettings(dir: string, now: () => number = Date.now): Promise<{ settings: AppSettings; warning?: string }> {
  const file = appSettingsPath(dir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaultAppSettings() };
    return { settings: defaultAppSettings(), warning: `cannot read ${file} (${(err as Error).message}): the default notification settings apply` };
  }
  let problem: string;
  try {
    const r = AppSettingsSchema.safeParse(JSON.parse(text));
    if (r.success) return { settings: r.data };
    problem = describeIssues(r.error);
  } catch {
    problem = 'not valid JSON';
  }
  // Moved aside, not overwritten: whoever edited it by hand can still see what they wrote.
  const aside = `${file}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
  await fs.rename(file, aside).catch(() => {});
  return { settings: defaultAppSettings(), warning: `${file} was unusable (${problem}); it was moved to ${aside} and the default settings apply` };
}

export async function saveAppSettings(dir: string, settings: AppSettings): Promise<void> {
  const valid = AppSettingsSchema.parse(settings);
  try {
    await writeFileAtomic(appSettingsPath(dir), JSON.stringify(valid, null, 2) + '\n', 0o600);
  } catch (err) {
    throw new CairnError('PERMISSION_DENIED', `cannot save the settings in ${dir}: ${(err as Error).message}`, { cause: err });
  }
}
