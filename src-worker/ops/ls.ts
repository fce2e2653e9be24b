// `ls`: the nodes of a snapshot, optionally only in some directories (restic's rules: the
// directory itself and its direct children, or everything below with `recursive`).
import { CairnError } from '../errors.ts';
import type { TreeNode } from '../format/tree.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { hasPathPrefix, SKIP, walkTree } from './walk.ts';

export interface LsOptions {
  dirs?: string[];
  recursive?: boolean;
}

export async function ls(repo: Repository, sn: SnapshotEntry, opts: LsOptions, emit: (path: string, node: TreeNode) => void): Promise<void> {
  const dirs = (opts.dirs ?? []).map((d) => (d.length > 1 ? d.replace(/\/+$/, '') : d));
  for (const d of dirs) {
    if (!d.startsWith('/')) throw new CairnError('INVALID_ARGUMENT', `path filter "${d}" must be absolute, starting with "/"`);
  }
  await repo.loadIndex();
  await walkTree(repo, sn.snapshot.tree, (p, node) => {
    if (dirs.length === 0) {
      emit(p, node);
      return;
    }
    const within = dirs.some((d) => hasPathPrefix(d, p));
    if (within) {
      emit(p, node);
      if (opts.recursive) return;
    }
    if (dirs.some((d) => hasPathPrefix(p, d))) return;
    return node.type === 'dir' ? SKIP : undefined;
  });
}
