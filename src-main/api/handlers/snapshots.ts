// Snapshots of a repository and browsing their folders page by page.
//
// Paging: a cursor is the position in the folder's tree plus that tree's id. Trees are immutable
// and addressed by content, so a position in one stays valid forever, and each page is a slice of
// the (cached) tree: no rescanning, whatever the page number. A cursor handed to another folder
// or snapshot is refused instead of silently listing the wrong entries. An offset instead of a
// cursor starts anywhere: the browser's jump to the end of a 100k-entry folder is one request.
import { CairnError, findSnapshot, shortId, type TreeNode } from '../../../src-worker/index.ts';
import type { ApiContext } from '../context.ts';
import { folderTree } from './tree-lookup.ts';
import type { HandlerTable } from './types.ts';

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir.replace(/\/+$/, '')}/${name}`;
}

export function entryOf(dir: string, node: TreeNode) {
  return {
    name: node.name,
    path: joinPath(dir, node.name),
    type: node.type,
    // restic leaves out a size of 0: a file without one is empty; other types have none.
    size: node.size ?? (node.type === 'file' ? 0 : null),
    mtime: node.mtime,
    mode: node.mode ?? null,
    linkTarget: node.linktarget ?? null,
    uid: node.uid,
    gid: node.gid,
    user: node.user ?? null,
    group: node.group ?? null,
  };
}

function makeCursor(treeId: string, offset: number): string {
  return `${offset}.${treeId.slice(0, 16)}`;
}

function readCursor(cursor: string, treeId: string, total: number): number {
  const m = /^(\d{1,9})\.([0-9a-f]{16})$/.exec(cursor);
  if (!m || m[2] !== treeId.slice(0, 16)) {
    throw new CairnError('INVALID_ARGUMENT', 'snapshots.tree: the cursor belongs to another folder or snapshot: start again without a cursor');
  }
  return Math.min(Number(m[1]), total);
}

/** Bytes each backup read, by snapshot id, from the job history of the repository's plans. */
async function backupSizes(ctx: ApiContext, repositoryId: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let jobs;
  try {
    jobs = ctx.jobs();
  } catch {
    return sizes; // no job runner on this host: sizes are simply unknown
  }
  for (const plan of ctx.profiles.profiles.plans.filter((p) => p.repositoryId === repositoryId)) {
    for (const job of await jobs.history({ planId: plan.id, limit: 200 })) {
      const bytes = job.summary?.totalBytesProcessed;
      if (job.request.kind === 'backup' && job.state === 'succeeded' && typeof bytes === 'number' && job.snapshotIds?.[0]) sizes.set(job.snapshotIds[0], bytes);
    }
  }
  return sizes;
}

export const snapshotHandlers: HandlerTable<'snapshots.list' | 'snapshots.tree'> = {
  async 'snapshots.list'(input, ctx) {
    const sizes = await backupSizes(ctx, input.repositoryId);
    return ctx.repositories.use(input.repositoryId, async (repo) => {
      // Oldest first, as restic lists them. An unreadable snapshot file is left out, not fatal:
      // the others are still worth seeing (check reports the damaged one).
      const entries = await repo.listSnapshots(() => {});
      return {
        snapshots: entries.map(({ id, snapshot: s }) => ({
          id,
          shortId: shortId(id),
          time: s.time,
          hostname: s.hostname ?? '',
          username: s.username ?? '',
          paths: s.paths,
          tags: s.tags ?? [],
          parent: s.parent ?? null,
          programVersion: s.program_version ?? null,
          size: sizes.get(id) ?? null,
        })),
      };
    });
  },

  async 'snapshots.tree'(input, ctx) {
    return ctx.repositories.use(input.repositoryId, async (repo) => {
      const sn = await findSnapshot(repo, input.snapshotId);
      await repo.loadIndex();
      const treeId = await folderTree(repo, sn.snapshot.tree, input.path);
      const nodes = (await repo.loadTree(treeId)).nodes;
      if (input.cursor !== undefined && input.offset !== undefined) throw new CairnError('INVALID_ARGUMENT', 'snapshots.tree: give a cursor or an offset, not both');
      const start = input.cursor !== undefined ? readCursor(input.cursor, treeId, nodes.length) : Math.min(input.offset ?? 0, nodes.length);
      const end = Math.min(start + input.limit, nodes.length);
      return {
        snapshotId: sn.id,
        path: input.path,
        entries: nodes.slice(start, end).map((n) => entryOf(input.path, n)),
        total: nodes.length,
        nextCursor: end < nodes.length ? makeCursor(treeId, end) : null,
      };
    });
  },
};
