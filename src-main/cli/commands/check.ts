import type { Command } from 'commander';
import { check, checkSubsetSyntax, RepositoryLock } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';

export function registerCheck(program: Command, cli: () => Cli): void {
  program.command('check')
    .description('check the repository for errors')
    .option('--read-data', 'read and verify all data')
    .option('--read-data-subset <subset>', 'read a subset of the data: "n/t" or "x%"')
    .action(async (opts: { readData?: boolean; readDataSubset?: string }) => {
      const c = cli();
      if (opts.readDataSubset) checkSubsetSyntax(opts.readDataSubset);
      // Like restic, check never trusts the local cache: it reads what the repository holds.
      const repo = await c.openRepository({ cache: false });
      c.verbose('create lock for repository');
      const lock = await RepositoryLock.acquire(repo, false);
      c.onCleanup(() => lock.release());
      c.verbose('load indexes');
      c.verbose('check all packs, then snapshots, trees and blobs');
      if (opts.readData || opts.readDataSubset) c.verbose(`read ${opts.readDataSubset ? `data subset ${opts.readDataSubset}` : 'all data'}`);
      const result = await check(repo, { readData: opts.readData, readDataSubset: opts.readDataSubset, signal: c.signal });
      if (c.json) {
        c.printJson({
          message_type: 'summary', num_errors: result.problems.length, snapshots: result.snapshots, trees: result.trees,
          packs_read: result.packsRead, unreferenced_packs: result.unreferencedPacks, problems: result.problems,
        });
      } else {
        for (const id of result.unreferencedPacks) c.print(`pack ${id.slice(0, 8)}: not referenced in any index`);
        if (result.unreferencedPacks.length) c.print(`${result.unreferencedPacks.length} additional files were found in the repository, which likely contain duplicate data.\nThis is non-critical, you can run \`cairn prune\` to correct this.`);
        for (const p of result.problems) c.output(`error: ${p.message}`);
        c.print(result.problems.length ? `Fatal: repository contains errors (${result.problems.length} found)` : 'no errors were found');
      }
      if (result.problems.length) process.exitCode = 1;
    });
}
