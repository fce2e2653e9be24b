import type { Command } from 'commander';
import { removeLocks } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';

export function registerUnlock(program: Command, cli: () => Cli): void {
  program.command('unlock')
    .description('remove stale locks (left by processes that are gone)')
    .option('--remove-all', 'remove all locks, even those of running processes')
    .action(async (opts: { removeAll?: boolean }) => {
      const c = cli();
      const repo = await c.openRepository();
      const removed = await removeLocks(repo, opts.removeAll === true);
      if (c.json) c.printJson({ message_type: 'unlocked', removed });
      else c.print(`successfully removed ${removed.length} lock${removed.length === 1 ? '' : 's'}`);
    });
}
