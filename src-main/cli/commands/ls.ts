import type { Command } from 'commander';
import { findSnapshot, goModeString, goTypeBits, ls, shortId, type TreeNode } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { filterFrom, withLatestFilters, type FilterFlags } from '../filters.ts';
import { formatLocalTime, goTimeString } from '../format.ts';

function nodeJson(path: string, n: TreeNode): Record<string, unknown> {
  const mode = n.mode ?? 0;
  return {
    name: n.name, type: n.type, path, uid: n.uid, gid: n.gid,
    size: n.type === 'file' ? n.size ?? 0 : undefined,
    mode: mode || undefined,
    permissions: goModeString(mode),
    mtime: n.mtime, atime: n.atime, ctime: n.ctime,
    struct_type: 'node',
  };
}

function longLine(path: string, n: TreeNode): string {
  const mode = goModeString((n.mode ?? 0) | goTypeBits(n.type));
  const target = n.type === 'symlink' ? ` -> ${n.linktarget ?? ''}` : '';
  return `${mode} ${String(n.uid).padStart(5)} ${String(n.gid).padStart(5)} ${String(n.size ?? 0).padStart(6)} ${formatLocalTime(n.mtime)} ${path}${target}`;
}

export function registerLs(program: Command, cli: () => Cli): void {
  withLatestFilters(program.command('ls'))
    .description('list files in a snapshot')
    .argument('<snapshot>', 'snapshot id or "latest"')
    .argument('[dirs...]', 'only list these directories (absolute paths in the snapshot)')
    .option('-l, --long', 'long listing: mode, owner, size, time')
    .option('--recursive', 'include everything below the given directories')
    .action(async (ref: string, dirs: string[], opts: FilterFlags & { long?: boolean; recursive?: boolean }) => {
      const c = cli();
      const repo = await c.openRepository();
      const sn = await findSnapshot(repo, ref, filterFrom(opts));
      if (c.json) c.printJson({ ...sn.snapshot, id: sn.id, short_id: shortId(sn.id), struct_type: 'snapshot' });
      // restic prints this header on stdout at its default verbosity; --quiet drops it.
      else c.print(`snapshot ${shortId(sn.id)} of [${sn.snapshot.paths.join(' ')}] filtered by [${dirs.join(' ')}] at ${goTimeString(sn.snapshot.time)}):`);
      await ls(repo, sn, { dirs, recursive: opts.recursive }, (path, node) => {
        if (c.json) c.printJson(nodeJson(path, node));
        else c.output(opts.long ? longLine(path, node) : path);
      });
    });
}
