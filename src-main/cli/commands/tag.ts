import type { Command } from 'commander';
import { checkTagOptions, splitTagList, tag } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { collect } from '../filters.ts';

interface TagFlags {
  set: string[];
  add: string[];
  remove: string[];
  host: string[];
  tag: string[];
  path: string[];
}

/** All tags of repeated `tag[,tag...]` values, empty ones dropped (restic's Flatten). */
function flatten(lists: string[]): string[] {
  return lists.flatMap(splitTagList).filter((t) => t !== '');
}

export function registerTag(program: Command, cli: () => Cli): void {
  program.command('tag')
    .description('add, remove or replace the tags of snapshots')
    .argument('[ids...]', 'only these snapshots (ids, unique prefixes, or "latest")')
    .option('--set <tags>', 'replace the existing tags with these (tag[,tag...], repeatable; "" removes all)', collect, [])
    .option('--add <tags>', 'add these tags (tag[,tag...], repeatable)', collect, [])
    .option('--remove <tags>', 'remove these tags (tag[,tag...], repeatable)', collect, [])
    .option('-H, --host <host>', 'only snapshots of this host, when no id is given (repeatable)', collect, [])
    .option('--tag <taglist>', 'only snapshots with all these comma-separated tags, when no id is given (repeatable)', collect, [])
    .option('--path <path>', 'only snapshots including this path, when no id is given (repeatable)', collect, [])
    .action(async (ids: string[], f: TagFlags) => {
      const c = cli();
      // `--set ""` clears the tags (restic 0.14 means to, but its flattening makes it a no-op).
      const changes = { set: f.set.length ? flatten(f.set) : undefined, add: flatten(f.add), remove: flatten(f.remove) };
      checkTagOptions({ set: f.set.length ? [] : undefined, add: f.add, remove: f.remove });
      const repo = await c.openRepository();
      c.verbose('create exclusive lock for repository');
      const result = await tag(repo, {
        ...changes, signal: c.signal, warn: (m) => c.warn(m),
        selection: { ids, hosts: f.host, tags: f.tag.map(splitTagList), paths: f.path },
      });
      // restic 0.14 has no JSON form for tag: it prints this line with --json too.
      c.print(result.changed.length === 0 ? 'no snapshots were modified' : `modified tags on ${result.changed.length} snapshots`);
    });
}
