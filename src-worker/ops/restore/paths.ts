// Safety of names read from a repository (which may be hostile) and resolving snapshot:subpath.
import { CairnError } from '../../errors.ts';
import type { Id } from '../../format/id.ts';
import type { TreeNode } from '../../format/tree.ts';
import type { Repository } from '../../repository/repository.ts';

const WINDOWS_FORBIDDEN = /[<>:"\\|?*\x00-\x1f]/;

/** A node name must be a single path component: no separators, no NUL, not "." or "..". */
export function checkName(name: string, where: string): string {
  const bad = name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')
    || (process.platform === 'win32' && WINDOWS_FORBIDDEN.test(name));
  if (bad) {
    throw new CairnError('UNSAFE_PATH', `refusing to restore: the snapshot contains an unsafe name ${JSON.stringify(name)} in ${where} (the repository is damaged or hostile)`);
  }
  return name;
}

export type SubpathRoot = { kind: 'tree'; tree: Id } | { kind: 'node'; node: TreeNode };

/** Finds the tree (or single node) at a path inside a snapshot, e.g. "/home/me/docs". */
export async function resolveSubpath(repo: Repository, rootTree: Id, subpath?: string): Promise<SubpathRoot> {
  const parts = (subpath ?? '').split('/').filter((p) => p !== '' && p !== '.');
  let tree = rootTree;
  for (let i = 0; i < parts.length; i++) {
    const t = await repo.loadTree(tree);
    const node = t.nodes.find((n) => n.name === parts[i]);
    const shown = '/' + parts.slice(0, i + 1).join('/');
    if (!node) throw new CairnError('NOT_FOUND', `path ${shown} is not in the snapshot: list it with "cairn ls"`);
    if (node.type !== 'dir') {
      if (i === parts.length - 1) return { kind: 'node', node };
      throw new CairnError('NOT_FOUND', `path ${shown} is not a directory in the snapshot`);
    }
    if (!node.subtree) throw new CairnError('CORRUPT_OBJECT', `directory ${shown} has no subtree in the snapshot`);
    tree = node.subtree;
  }
  return { kind: 'tree', tree };
}
