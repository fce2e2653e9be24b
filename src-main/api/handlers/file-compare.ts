// Two versions of one file side by side (the version timeline's "Compare"): each side's facts, and
// for text files a line diff. A version is read only up to MAX_BYTES (a compare that would pull a
// video out of the repository is not a compare); text means valid UTF-8 without NUL bytes.
import { CairnError, findSnapshot, type Repository, type SnapshotEntry, type TreeNode } from '../../../src-worker/index.ts';
import type { ApiOutput } from '../contract.ts';
import { lineDiff } from '../text-diff.ts';
import { nodeAt } from './tree-lookup.ts';
import type { HandlerTable } from './types.ts';

/** Largest version read for a line diff. */
export const MAX_BYTES = 2 << 20;

type Side = NonNullable<ApiOutput<'files.compare'>['from']>;

function side(sn: SnapshotEntry, node: TreeNode | null | undefined): Side | null {
  if (!node) return null;
  return { snapshotId: sn.id, time: sn.snapshot.time, type: node.type, size: node.size ?? (node.type === 'file' ? 0 : null), mtime: node.mtime };
}

const sameContent = (a: TreeNode, b: TreeNode) => a.type === b.type && (a.content ?? []).join() === (b.content ?? []).join() && a.linktarget === b.linktarget && a.subtree === b.subtree;

/** The file's text, or why there is none: too large, or not text. */
async function text(repo: Repository, node: TreeNode): Promise<string | 'too-large' | 'binary'> {
  if ((node.size ?? 0) > MAX_BYTES) return 'too-large';
  const parts: Buffer[] = [];
  for (const blob of node.content ?? []) parts.push(await repo.loadBlob('data', blob));
  const bytes = Buffer.concat(parts);
  if (bytes.includes(0)) return 'binary';
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'binary';
  }
}

export const fileCompareHandlers: HandlerTable<'files.compare'> = {
  async 'files.compare'(input, ctx) {
    if (input.path.replace(/\/+$/, '') === '') throw new CairnError('INVALID_ARGUMENT', 'files.compare: give the path of a file, not "/"');
    return ctx.repositories.use(input.repositoryId, async (repo) => {
      const [a, b] = [await findSnapshot(repo, input.from), await findSnapshot(repo, input.to)];
      await repo.loadIndex();
      const [na, nb] = [await nodeAt(repo, a.snapshot.tree, input.path), await nodeAt(repo, b.snapshot.tree, input.path)];
      if (!na && !nb) throw new CairnError('NOT_FOUND', `${input.path} is in neither snapshot ${a.id.slice(0, 8)} nor ${b.id.slice(0, 8)}`);
      const out = { path: input.path, from: side(a, na), to: side(b, nb), identical: !!na && !!nb && sameContent(na, nb), noText: null, lines: null };
      if (out.identical) return out;
      // A side the snapshot lacks compares as an empty file: everything was added (or removed).
      if ((na && na.type !== 'file') || (nb && nb.type !== 'file')) return { ...out, noText: 'not-a-file' as const };
      const [ta, tb] = [na ? await text(repo, na) : '', nb ? await text(repo, nb) : ''];
      for (const t of [ta, tb]) if (t === 'too-large' || t === 'binary') return { ...out, noText: t };
      const lines = lineDiff(ta, tb);
      return lines ? { ...out, lines } : { ...out, noText: 'too-different' as const };
    });
  },
};
