// Depth-first walk over a snapshot's trees, in name order, with snapshot paths ("/home/me/x").
import type { Id } from '../format/id.ts';
import type { TreeNode } from '../format/tree.ts';
import type { Repository } from '../repository/repository.ts';

export const SKIP = Symbol('skip subtree');

/**
 * Calls `visit` for every node under `treeId`. Returning SKIP from a directory's visit does not
 * descend into it.
 */
export async function walkTree(
  repo: Repository,
  treeId: Id,
  visit: (path: string, node: TreeNode) => void | typeof SKIP | Promise<void | typeof SKIP>,
  base = '/',
): Promise<void> {
  const tree = await repo.loadTree(treeId);
  for (const node of tree.nodes) {
    const p = base === '/' ? '/' + node.name : base + '/' + node.name;
    const r = await visit(p, node);
    if (r !== SKIP && node.type === 'dir' && node.subtree) await walkTree(repo, node.subtree, visit, p);
  }
}

/** True when `p` equals `prefix` or lies below it (restic's fs.HasPathPrefix). */
export function hasPathPrefix(prefix: string, p: string): boolean {
  if (prefix === '/') return p.startsWith('/');
  return p === prefix || p.startsWith(prefix.endsWith('/') ? prefix : prefix + '/');
}
