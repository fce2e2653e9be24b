// Reading and writing profiles.json. A file that cannot be used (not JSON, fails validation,
// written by a newer Cairn) is moved aside under a timestamped name and reported: never reset to
// empty in place, never overwritten, so nothing the user configured is lost and a newer Cairn's
// file survives a downgrade.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CairnError, isCairnError } from '../../src-worker/index.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { migrate } from './migrate.ts';
import { CURRENT_VERSION, describeIssues, emptyProfiles, findSecretField, ProfilesSchema, type Profiles } from './schema.ts';

export const PROFILES_FILE = 'profiles.json';

export type UnusableReason = 'corrupt' | 'invalid' | 'newer';

export type LoadResult =
  | {
      ok: true;
      profiles: Profiles;
      /** No file yet: a first start. */
      created: boolean;
      /** Set when an older file was migrated; its original is kept at `backupPath`. */
      migratedFrom?: number;
      backupPath?: string;
    }
  | {
      ok: false;
      reason: UnusableReason;
      /** Where the unusable file now is. */
      movedTo: string;
      /** code CORRUPT_CONFIG or UNSUPPORTED_VERSION; the message says what happened and what to do. */
      error: CairnError;
    };

export interface StoreOptions {
  /** For the moved-aside file's name; tests pass a fixed clock. */
  now?: () => number;
}

export function profilesPath(dir: string): string {
  return path.join(dir, PROFILES_FILE);
}

/** Validates a document of the current version; throws CORRUPT_CONFIG with a one-line reason. */
export function parseProfiles(doc: unknown): Profiles {
  const secret = findSecretField(doc);
  if (secret) {
    throw new CairnError('CORRUPT_CONFIG', `the field ${secret} looks like a secret, and profiles hold no secrets: remove it and store the secret in the keyring`);
  }
  try {
    return ProfilesSchema.parse(doc);
  } catch (err) {
    if (err instanceof z.ZodError) throw new CairnError('CORRUPT_CONFIG', `invalid profiles: ${describeIssues(err)}`, { cause: err });
    throw err;
  }
}

export async function loadProfiles(dir: string, options: StoreOptions = {}): Promise<LoadResult> {
  const file = profilesPath(dir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, profiles: emptyProfiles(), created: true };
    throw new CairnError('PERMISSION_DENIED', `cannot read ${file}: ${(err as Error).message}; check its permissions`, { cause: err });
  }

  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return moveAside(file, 'corrupt', `${file} is not valid JSON`, options, err);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return moveAside(file, 'corrupt', `${file} does not hold a profiles object`, options);

  let outcome;
  try {
    outcome = migrate(doc as Record<string, unknown>);
  } catch (err) {
    if (isCairnError(err, 'CORRUPT_CONFIG')) return moveAside(file, 'invalid', err.message, options, err);
    throw err;
  }
  if (outcome.status === 'newer') {
    return moveAside(file, 'newer', `${file} was written by a newer Cairn (profiles version ${outcome.version}, this one reads up to ${CURRENT_VERSION})`, options);
  }
  if (outcome.status === 'unknown-version') return moveAside(file, 'invalid', `${file} has no valid "version" field`, options);

  let profiles: Profiles;
  try {
    profiles = parseProfiles(outcome.doc);
    checkReferences(profiles);
  } catch (err) {
    if (isCairnError(err, 'CORRUPT_CONFIG')) return moveAside(file, 'invalid', `${file}: ${err.message}`, options, err);
    throw err;
  }

  if (outcome.status === 'migrated') {
    // Keep the original beside the new file: a user who goes back to the older Cairn can restore it.
    const backupPath = `${file}.v${outcome.from}.bak`;
    await fs.copyFile(file, backupPath);
    await saveProfiles(dir, profiles);
    return { ok: true, profiles, created: false, migratedFrom: outcome.from, backupPath };
  }
  return { ok: true, profiles, created: false };
}

export async function saveProfiles(dir: string, profiles: Profiles): Promise<void> {
  // Validate on the way out too: a bug elsewhere must not write a file the next start refuses.
  const valid = parseProfiles(profiles);
  checkReferences(valid);
  await writeFileAtomic(profilesPath(dir), JSON.stringify(valid, null, 2) + '\n', 0o600);
}

/** Every plan's repositories exist; ids are unique. Throws CORRUPT_CONFIG naming the first problem. */
export function checkReferences(p: Profiles): void {
  const repoIds = new Set<string>();
  for (const r of p.repositories) {
    if (repoIds.has(r.id)) throw new CairnError('CORRUPT_CONFIG', `two repositories have the id "${r.id}": ids must be unique`);
    repoIds.add(r.id);
  }
  const planIds = new Set<string>();
  for (const plan of p.plans) {
    if (planIds.has(plan.id)) throw new CairnError('CORRUPT_CONFIG', `two plans have the id "${plan.id}": ids must be unique`);
    planIds.add(plan.id);
    if (!repoIds.has(plan.repositoryId)) throw new CairnError('CORRUPT_CONFIG', `plan "${plan.name}" uses repository "${plan.repositoryId}", which does not exist`);
    if (plan.copyToRepositoryId !== undefined && !repoIds.has(plan.copyToRepositoryId)) {
      throw new CairnError('CORRUPT_CONFIG', `plan "${plan.name}" copies to repository "${plan.copyToRepositoryId}", which does not exist`);
    }
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

async function moveAside(file: string, reason: UnusableReason, what: string, options: StoreOptions, cause?: unknown): Promise<LoadResult> {
  const stamp = new Date((options.now ?? Date.now)()).toISOString().replace(/[:.]/g, '-');
  const base = `${file}.${reason === 'newer' ? 'newer' : 'corrupt'}-${stamp}`;
  let target = base;
  // Never clobber an earlier moved-aside file (two failures in the same millisecond, or a clock
  // that went back): link() fails on an existing name, rename() would not.
  for (let n = 1; ; n++) {
    try {
      await fs.link(file, target);
      await fs.unlink(file);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        target = `${base}-${n}`;
        continue;
      }
      // A file system without hard links (FAT, some network shares): check, then rename.
      if ((code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') && !(await exists(target))) {
        await fs.rename(file, target);
        break;
      }
      throw new CairnError('PERMISSION_DENIED', `cannot move ${file} aside: ${(err as Error).message}; move it away by hand`, { cause: err });
    }
  }
  const code = reason === 'newer' ? 'UNSUPPORTED_VERSION' : 'CORRUPT_CONFIG';
  const todo = reason === 'newer' ? 'use the newer Cairn, or set up your plans again here' : 'fix it and move it back, or set up your plans again';
  return { ok: false, reason, movedTo: target, error: new CairnError(code, `${what}; it was moved to ${target}: ${todo}`, { cause }) };
}
