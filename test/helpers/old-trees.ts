// Snapshots and tree nodes as older restic versions wrote them: fields that newer versions add are
// taken out of what restic 0.14 wrote (and other things put in, e.g. extended attributes). Trees
// are content-addressed, so an edited tree is a new blob, its parent changes too, and so on up to
// a new snapshot that points at the new root. Blobs are written with the engine's own packer.
import { goUnquoteInner } from '../../src-worker/format/goquote.ts';
import type { Id } from '../../src-worker/format/id.ts';
import type { Repository } from '../../src-worker/repository/repository.ts';
import { openRepo, rewriteJson } from './rewrite-repo.ts';

export type RawNode = Record<string, unknown> & { name: string; type: string; subtree?: Id };
/** Returns the node as it should be stored (it may edit and return the one it is given). */
export type NodeEdit = (node: RawNode, dirPath: string) => RawNode;

async function rewriteTree(repo: Repository, id: Id, dirPath: string, edit: NodeEdit): Promise<Id> {
  const plain = await repo.loadBlob('tree', id);
  const doc = JSON.parse(plain.toString('utf8')) as { nodes: RawNode[] | null };
  const nodes: RawNode[] = [];
  for (const node of doc.nodes ?? []) {
    // Names stay as stored (Go-quoted); the paths given to `edit` are only for choosing nodes.
    const childPath = `${dirPath === '/' ? '' : dirPath}/${goUnquoteInner(node.name) ?? node.name}`;
    if (node.type === 'dir' && node.subtree) node.subtree = await rewriteTree(repo, node.subtree, childPath, edit);
    nodes.push(edit(node, dirPath));
  }
  const saved = await repo.saveBlob('tree', Buffer.from(JSON.stringify({ nodes }) + '\n', 'utf8'));
  return saved.id;
}

/**
 * Rewrites every tree of snapshot `snapshotId` through `edit` and the snapshot itself through
 * `editSnapshot` (after its tree is replaced); the old snapshot file is removed, the old trees stay
 * (prune drops them). Returns the new snapshot's id.
 */
export async function rewriteSnapshot(
  repoDir: string, snapshotId: Id, edit: NodeEdit, editSnapshot: (sn: Record<string, unknown>) => void = () => {},
): Promise<Id> {
  const repo = await openRepo(repoDir);
  await repo.loadIndex();
  const sn = await repo.loadSnapshot(snapshotId);
  const root = await rewriteTree(repo, sn.tree, '/', edit);
  await repo.flush();
  return rewriteJson(repo, 'snapshots', snapshotId, (doc) => {
    const next = { ...(doc as Record<string, unknown>), tree: root };
    editSnapshot(next);
    return next;
  });
}

/** Removes the named fields from an object (a node or a snapshot). */
export function without<T extends Record<string, unknown>>(obj: T, fields: readonly string[]): T {
  for (const f of fields) delete obj[f];
  return obj;
}
