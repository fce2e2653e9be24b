// The profiles file, current version: repositories and backup plans, validated with zod on every
// load and every change. Objects are strict (an unknown field is an error, not silently dropped),
// and there is deliberately no field that can hold a secret: passwords and keys live in the OS
// keyring (src-main/secrets), which is why secret-looking names and URLs with a password in them
// are refused with a message that says where the secret belongs.
import { z } from 'zod';
import { ExcludePresetIds } from './excludes.ts';
import { ScheduleSchema } from './schedule.ts';

export const CURRENT_VERSION = 2;

/** Ids end up in keyring account names ("repo:<id>:password"), so no ':' and nothing exotic. */
export const IdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use 1-64 lowercase letters, digits, "-" or "_"');

const NameSchema = z.string().trim().min(1, 'give it a name').max(100);

/** Field names that suggest a secret; matched against every key in the file, options included. */
const SECRET_NAME = /pass(word|wd|phrase)|(^|[-_.])pass$|secret|token|credential|private[-_.]?key|api[-_.]?key/i;

export function looksSecret(key: string): boolean {
  return SECRET_NAME.test(key);
}

/** True when a location has a password in its user-info part (rest:https://user:pass@host/). */
export function locationHasPassword(location: string): boolean {
  const m = /:\/\/([^/@]*)@/.exec(location);
  return m !== null && m[1].includes(':');
}

export const RepositorySchema = z.strictObject({
  id: IdSchema,
  name: NameSchema,
  /** Where it is: a path, or sftp:/s3:/rest:/rclone: locations as the CLI takes them. */
  location: z.string().min(1).refine((l) => !locationHasPassword(l), {
    message: 'the location has a password in it: remove it from the URL and store it in the keyring',
  }),
  /** Backend options, as the CLI's `-o key=value`. */
  options: z.record(z.string().min(1), z.string()).default({}),
});

export const RetentionSchema = z.strictObject({
  keepLast: z.number().int().min(1).optional(),
  keepHourly: z.number().int().min(1).optional(),
  keepDaily: z.number().int().min(1).optional(),
  keepWeekly: z.number().int().min(1).optional(),
  keepMonthly: z.number().int().min(1).optional(),
  keepYearly: z.number().int().min(1).optional(),
  /** restic's duration syntax: 1y6m2d12h. */
  keepWithin: z.string().regex(/^(\d+y)?(\d+m)?(\d+d)?(\d+h)?$/, 'use a duration like 1y6m2d12h').refine((s) => s !== '', 'use a duration like 30d').optional(),
  keepTags: z.array(z.string().min(1)).optional(),
});

export const WatchSchema = z.strictObject({
  enabled: z.boolean(),
  /** Quiet time after the last change before a backup starts, so a burst of saves is one backup. */
  debounceMinutes: z.number().int().min(1).max(24 * 60),
});

export const PlanSchema = z.strictObject({
  id: IdSchema,
  name: NameSchema,
  repositoryId: IdSchema,
  sources: z.array(z.string().min(1)).min(1, 'choose at least one folder to back up'),
  excludes: z.array(z.string().min(1)).default([]),
  excludePresets: z.array(z.enum(ExcludePresetIds)).default([]),
  schedule: ScheduleSchema,
  retention: RetentionSchema.default({}),
  tags: z.array(z.string().min(1).regex(/^[^,]*$/, 'a tag cannot contain ","')).default([]),
  /** After each successful backup, copy the new snapshot to this repository too. */
  copyToRepositoryId: IdSchema.optional(),
  watch: WatchSchema.default({ enabled: false, debounceMinutes: 5 }),
});

export const ProfilesSchema = z.strictObject({
  version: z.literal(CURRENT_VERSION),
  repositories: z.array(RepositorySchema),
  plans: z.array(PlanSchema),
});

export type RepositoryProfile = z.infer<typeof RepositorySchema>;
export type Plan = z.infer<typeof PlanSchema>;
export type Retention = z.infer<typeof RetentionSchema>;
export type Profiles = z.infer<typeof ProfilesSchema>;
/** What callers pass in: defaults may be left out. */
export type RepositoryInput = z.input<typeof RepositorySchema>;
export type PlanInput = z.input<typeof PlanSchema>;

export function emptyProfiles(): Profiles {
  return { version: CURRENT_VERSION, repositories: [], plans: [] };
}

/** The JSON path of the first key anywhere in `value` that looks like a secret, or null. */
export function findSecretField(value: unknown, at = ''): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findSecretField(value[i], `${at}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = at ? `${at}.${k}` : k;
      if (looksSecret(k)) return here;
      const found = findSecretField(v, here);
      if (found) return found;
    }
  }
  return null;
}

/** zod's issues as one line: "plans[0].sources: choose at least one folder to back up". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? formatPath(i.path) + ': ' : ''}${i.message}`)
    .join('; ');
}

function formatPath(p: readonly PropertyKey[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i ? '.' : ''}${String(s)}`)).join('');
}
