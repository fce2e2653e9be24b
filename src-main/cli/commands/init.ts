import type { Command } from 'commander';
import { CairnError, openBackend, Repository } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { openFromRepository, withFromRepoOptions, type FromRepoFlags } from '../from-repo.ts';
import { readNewPassword } from '../password.ts';

export function registerInit(program: Command, cli: () => Cli): void {
  const cmd = program.command('init')
    .description('create a new repository')
    .option('--repository-version <version>', 'repository format version: 1, 2, "latest" or "stable"', 'stable')
    .option('--copy-chunker-params', 'use the chunker parameters of the --from-repo repository, so snapshots copied from it dedupe with new backups');
  withFromRepoOptions(cmd, 'to copy the chunker parameters from')
    .action(async (opts: { repositoryVersion: string; copyChunkerParams?: boolean } & FromRepoFlags) => {
      const c = cli();
      const v = opts.repositoryVersion;
      const version = v === 'latest' || v === 'stable' || v === '2' ? 2 : v === '1' ? 1 : null;
      if (version === null) throw new CairnError('INVALID_ARGUMENT', `--repository-version ${v}: use 1, 2, latest or stable`);
      if ((opts.fromRepo || opts.fromRepositoryFile) && !opts.copyChunkerParams) {
        throw new CairnError('INVALID_ARGUMENT', '--from-repo is only used with --copy-chunker-params: add it, or leave out --from-repo');
      }
      // The source is opened first (as restic), so a wrong source password creates nothing.
      let chunkerPolynomial: bigint | undefined;
      if (opts.copyChunkerParams) chunkerPolynomial = (await openFromRepository(c, opts)).config.chunkerPolynomial;
      const location = c.repoLocation();
      const backend = openBackend(location, c.backendOptions());
      c.onCleanup(() => backend.close());
      const password = await readNewPassword(c.globals, 'password for new repository');
      const repo = await Repository.init(backend, password, { version, chunkerPolynomial });
      if (c.json) {
        c.printJson({ message_type: 'initialized', id: repo.config.id, repository: backend.location });
        return;
      }
      c.print(`created restic repository ${repo.config.id.slice(0, 10)} at ${backend.location}`);
      c.print('');
      c.print('Please note that knowledge of your password is required to access');
      c.print('the repository. Losing your password means that your data is');
      c.print('irrecoverably lost.');
    });
}
