// Looking across snapshots: search by name pattern (restic's find), what changed between two
// snapshots (restic's diff), and every version of one path.
import { CairnError, diff, findPatterns, findSnapshot, isCairnError, type SnapshotEntry, type TreeNode } from '../../../src-worker/index.ts';
import { nodeAt } from './tree-lookup.ts';
import type { HandlerTable } from './types.ts';

/** What makes two versions of a path "the same content": the type and what it points to. */
function contentKey(node: TreeNode): string {
  switch (node.type) {
    case 'file': return `file:${(node.content ?? []).join(',')}`;
    case 'dir': return `dir:${node.subtree ?? ''}`;
    case 'symlink': return `symlink:${node.linktarget ?? ''}`;
    default: return `${node.type}:${node.device ?? ''}`;
  }
}

export const browseHandlers: HandlerTable<'snapshots.search' | 'snapshots.diff' | 'files.versions'> = {
  async 'snapshots.search'(input, ctx) {
    return ctx.repositories.use(input.repositoryId, async (repo) => {
      const snapshots: SnapshotEntry[] = input.snapshotId ? [await findSnapshot(repo, input.snapshotId)] : await repo.listSnapshots(() => {});
      const hits: { snapshotId: string; time: string; path: string; type: TreeNode['type']; size: number | null; mtime: string }[] = [];
      // One more than asked for tells whether there are more; then the walk is stopped.
      const enough = new AbortController();
      try {
        await findPatterns(repo, snapshots, { patterns: [input.pattern], ignoreCase: input.ignoreCase, signal: enough.signal }, (sn, path, node) => {
          if (hits.length > input.limit) return;
          hits.push({ snapshotId: sn.id, time: sn.snapshot.time, path, type: node.type, size: node.size ?? (node.type === 'file' ? 0 : null), mtime: node.mtime });
          if (hits.length > input.limit) enough.abort();
        });
      } catch (err) {
        if (!(enough.signal.aborted && isCairnError(err, 'ABORTED'))) throw err;
      }
      const truncated = hits.length > input.limit;
      return { hits: hits.slice(0, input.limit), truncated };
    });
  },

  async 'snapshots.diff'(input, ctx) {
    return ctx.repositories.use(input.repositoryId, async (repo) => {
      const a = await findSnapshot(repo, input.from);
      const b = await findSnapshot(repo, input.to);
      const changes: { path: string; modifier: string }[] = [];
      let truncated = false;
      // The statistics need the whole walk, so changes past the limit are counted, not kept.
      const result = await diff(repo, a, b, { metadata: input.metadata }, (c) => {
        if (changes.length < input.limit) changes.push({ path: c.path, modifier: c.modifier });
        else truncated = true;
      });
      return { from: a.id, to: b.id, changes, truncated, changedFiles: result.changedFiles, added: result.added, removed: result.removed };
    });
  },

  async 'files.versions'(input, ctx) {
    if (input.path.replace(/\/+$/, '') === '') throw new CairnError('INVALID_ARGUMENT', 'files.versions: give the path of a file or folder, not "/"');
    return ctx.repositories.use(input.repositoryId, async (repo) => {
      await repo.loadIndex();
      const versions = [];
      let previous: string | undefined;
      for (const sn of await repo.listSnapshots(() => {})) {
        const node = await nodeAt(repo, sn.snapshot.tree, input.path);
        if (!node) continue;
        const key = contentKey(node);
        versions.push({
          snapshotId: sn.id,
          time: sn.snapshot.time,
          type: node.type,
          size: node.size ?? (node.type === 'file' ? 0 : null),
          mtime: node.mtime,
          changed: key !== previous,
        });
        previous = key;
      }
      return { path: input.path, versions };
    });
  },
};
