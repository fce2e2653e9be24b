// The second repository of `copy` (the source) and `init --copy-chunker-params`: restic's
// --from-* flags, with CAIRN_FROM_* variables first and RESTIC_FROM_* as fallbacks.
import fs from 'node:fs';
import type { Command } from 'commander';
import { CairnError, defaultCacheRoot, isCairnError, openBackend, Repository } from '../../src-worker/index.ts';
import type { Cli } from './context.ts';
import { readPassword, SOURCE_PASSWORD } from './password.ts';

export interface FromRepoFlags {
  fromRepo?: string;
  fromRepositoryFile?: string;
  fromPasswordFile?: string;
  fromPasswordCommand?: string;
  fromKeyHint?: string;
}

/** Adds --from-repo, --from-password-file, --from-password-command and --from-key-hint. */
export function withFromRepoOptions(cmd: Command, purpose: string): Command {
  return cmd
    .option('--from-repo <repository>', `source repository ${purpose} (or CAIRN_FROM_REPOSITORY / RESTIC_FROM_REPOSITORY)`)
    .option('--from-repository-file <file>', 'file holding the source repository location (or CAIRN_FROM_REPOSITORY_FILE)')
    .option('--from-password-file <file>', 'file to read the source repository password from (or CAIRN_FROM_PASSWORD_FILE)')
    .option('--from-password-command <command>', 'shell command that prints the source repository password (or CAIRN_FROM_PASSWORD_COMMAND)')
    .option('--from-key-hint <key>', 'key id to try first when opening the source repository (or CAIRN_FROM_KEY_HINT)');
}

const env = (...names: string[]) => names.map((n) => process.env[n]).find((v) => v !== undefined && v !== '');

export function fromRepoLocation(f: FromRepoFlags): string | undefined {
  if (f.fromRepo && f.fromRepositoryFile) throw new CairnError('INVALID_ARGUMENT', '--from-repo and --from-repository-file cannot be used together: give only one');
  if (f.fromRepo) return f.fromRepo;
  const file = f.fromRepositoryFile ?? env('CAIRN_FROM_REPOSITORY_FILE', 'RESTIC_FROM_REPOSITORY_FILE');
  if (file) {
    try {
      // As restic: the location is the file's content without surrounding white space.
      return fs.readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new CairnError('INVALID_ARGUMENT', `cannot read the source repository file ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return env('CAIRN_FROM_REPOSITORY', 'RESTIC_FROM_REPOSITORY');
}

/**
 * Opens the source repository with its own password (never the destination's, never from argv).
 * Backend options (-o) and the cache settings are shared with the main repository, as in restic.
 */
export async function openFromRepository(c: Cli, f: FromRepoFlags): Promise<Repository> {
  const location = fromRepoLocation(f);
  if (!location) throw new CairnError('INVALID_ARGUMENT', 'no source repository given: use --from-repo (or --from-repository-file), or set CAIRN_FROM_REPOSITORY');
  const backend = openBackend(location, c.backendOptions());
  c.onCleanup(() => backend.close());
  const password = await readPassword(
    { passwordFile: f.fromPasswordFile, passwordCommand: f.fromPasswordCommand },
    'enter password for source repository: ',
    SOURCE_PASSWORD,
  );
  const cacheDir = c.globals.cache === false ? undefined : c.globals.cacheDir ?? defaultCacheRoot();
  const keyHint = f.fromKeyHint ?? env('CAIRN_FROM_KEY_HINT', 'RESTIC_FROM_KEY_HINT');
  try {
    return await Repository.open(backend, password, { keyHint, cacheDir });
  } catch (err) {
    if (isCairnError(err, 'WRONG_PASSWORD')) {
      throw new CairnError('WRONG_PASSWORD', `wrong password or no key found for the source repository at ${backend.location}: check --from-password-file, --from-password-command or CAIRN_FROM_PASSWORD`, { cause: err });
    }
    throw err;
  }
}
