import type { Command } from 'commander';
import { availableMigrations, migrate, RepositoryLock, type MigrateEvent } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';

function eventText(e: MigrateEvent): string {
  switch (e.kind) {
    case 'not-applicable': return `migration ${e.name} cannot be applied: check failed\nIf you want to apply this migration anyway, re-run with option --force`;
    case 'checking': return 'checking repository integrity...';
    case 'applying': return `applying migration ${e.name}...`;
    case 'applied': return `migration ${e.name}: success`;
  }
}

export function registerMigrate(program: Command, cli: () => Cli): void {
  program.command('migrate')
    .description('list the migrations that apply to the repository, or apply the named ones')
    .argument('[name...]', 'migrations to apply, e.g. upgrade_repo_v2')
    .option('-f, --force', 'apply a migration even when it does not apply (the repository is still checked first)')
    .action(async (names: string[], opts: { force?: boolean }) => {
      const c = cli();
      // The integrity check must see the repository itself, not a cache of it.
      const repo = await c.openRepository({ cache: false });
      const lock = await RepositoryLock.acquire(repo, true);
      c.onCleanup(() => lock.release());
      if (names.length === 0) {
        const list = availableMigrations(repo);
        if (c.json) {
          c.printJson({ message_type: 'migrations', available: list.map((m) => ({ name: m.name, description: m.description })) });
          return;
        }
        c.print('available migrations:');
        for (const m of list) c.print(`  ${m.name}\t${m.description}`);
        if (!list.length) c.print('no migrations found');
        return;
      }
      const result = await migrate(repo, names, {
        force: opts.force, signal: c.signal,
        onEvent: (e) => {
          if (c.json) c.printJson({ message_type: 'verbose_status', action: e.kind, item: e.name });
          else if (e.kind === 'not-applicable') c.warn(eventText(e));
          else c.print(eventText(e));
        },
      });
      if (c.json) c.printJson({ message_type: 'summary', applied: result.applied, skipped: result.skipped, version: repo.version });
    });
}
