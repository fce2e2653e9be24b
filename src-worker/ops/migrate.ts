// `migrate`: one-way changes of a repository's format, named as restic names them. The only one
// Cairn knows is restic's `upgrade_repo_v2`: a version 1 repository becomes version 2 by rewriting
// its config, nothing else; what exists stays readable (version 2 reads everything version 1 wrote)
// and later writes compress. As restic does, the repository is checked first, so a damaged one is
// not upgraded (old restic could no longer read it, and nobody could repair it with that version).
import { CairnError } from '../errors.ts';
import type { Repository } from '../repository/repository.ts';
import { check, type CheckProblem } from './check.ts';

export interface Migration {
  name: string;
  description: string;
  /** Whether the migration applies to this repository (restic: "available"). */
  applies(repo: Repository): boolean;
  apply(repo: Repository): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'upgrade_repo_v2',
    description: 'upgrade a repository to version 2',
    applies: (repo) => repo.version === 1,
    apply: (repo) => repo.replaceConfig({ ...repo.config, version: 2 }),
  },
];

/** The migrations that apply to `repo`, as `cairn migrate` without arguments lists them. */
export function availableMigrations(repo: Repository): Migration[] {
  return MIGRATIONS.filter((m) => m.applies(repo));
}

export interface MigrateOptions {
  /** Apply even when the migration does not apply (restic's --force). The check still runs. */
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: MigrateEvent) => void;
}

export type MigrateEvent =
  | { kind: 'not-applicable'; name: string }
  | { kind: 'checking'; name: string }
  | { kind: 'applying'; name: string }
  | { kind: 'applied'; name: string };

export interface MigrateResult {
  applied: string[];
  /** Migrations skipped because they do not apply (without force). */
  skipped: string[];
}

/**
 * Applies the named migrations in order. The caller holds an exclusive lock. A damaged repository
 * is refused with its problems named; an unknown name is refused before anything changes.
 */
export async function migrate(repo: Repository, names: readonly string[], opts: MigrateOptions = {}): Promise<MigrateResult> {
  const chosen = names.map((name) => {
    const m = MIGRATIONS.find((x) => x.name === name);
    if (!m) throw new CairnError('INVALID_ARGUMENT', `unknown migration ${name}: run "cairn migrate" to list those that apply`);
    return m;
  });
  const result: MigrateResult = { applied: [], skipped: [] };
  for (const m of chosen) {
    if (!m.applies(repo) && !opts.force) {
      opts.onEvent?.({ kind: 'not-applicable', name: m.name });
      result.skipped.push(m.name);
      continue;
    }
    opts.onEvent?.({ kind: 'checking', name: m.name });
    const health = await check(repo, { signal: opts.signal });
    if (health.problems.length) throw damaged(m.name, health.problems);
    opts.onEvent?.({ kind: 'applying', name: m.name });
    await m.apply(repo);
    opts.onEvent?.({ kind: 'applied', name: m.name });
    result.applied.push(m.name);
  }
  return result;
}

function damaged(name: string, problems: CheckProblem[]): CairnError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}` : '';
  return new CairnError('CORRUPT_OBJECT', `migration ${name} refused: the repository is damaged (${first.object}${more}): run "cairn check", repair it, then migrate`);
}
