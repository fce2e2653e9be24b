// Which files a check problem touches: after the check has traced each problem to snapshots, the
// affected snapshots are walked once more to name the paths (files whose content includes a damaged
// or missing blob, directories whose tree cannot be read). Only damaged repositories pay for this
// walk, and only over the snapshots concerned.
import { isCairnError, throwIfAborted } from '../../errors.ts';
import type { BlobType } from '../../format/blob.ts';
import type { Id } from '../../format/id.ts';
import type { Repository } from '../../repository/repository.ts';

/** Paths named per problem at most; the count says how many there are in all. */
export const MAX_FILES_PER_PROBLEM = 100;

export interface AffectedTarget {
  /** The pack or blob the problem is about. */
  pack?: Id;
  blob?: { type: BlobType; id: Id };
  snapshots?: Id[];
  /** Filled in: "<snapshot id>:<path>" of each affected file or directory. */
  files?: string[];
  filesTotal?: number;
}

/**
 * Fills in `files` and `filesTotal` of each problem that names a pack or a blob and its snapshots.
 * A problem about a pack touches every blob in it, except where `packSizes` gives the pack's real
 * size (a pack of the wrong size): then only the blobs that reach past its end are lost.
 */
export async function attachAffectedFiles(repo: Repository, problems: AffectedTarget[], signal?: AbortSignal, packSizes: ReadonlyMap<Id, number> = new Map()): Promise<void> {
  const byKey = new Map<string, AffectedTarget[]>();
  const add = (key: string, p: AffectedTarget) => {
    const list = byKey.get(key);
    if (list) list.push(p);
    else byKey.set(key, [p]);
  };
  const packs = new Map<Id, AffectedTarget[]>();
  for (const p of problems) {
    if (!p.snapshots?.length) continue;
    if (p.blob) add(p.blob.type[0] + p.blob.id, p);
    else if (p.pack) packs.set(p.pack, [...(packs.get(p.pack) ?? []), p]);
  }
  if (packs.size) {
    for (const { id, location } of repo.index.entries()) {
      const size = packSizes.get(location.packId);
      if (size !== undefined && location.offset + location.length <= size) continue;
      for (const p of packs.get(location.packId) ?? []) add(location.type[0] + id, p);
    }
  }
  if (!byKey.size) return;
  const snapshots = [...new Set(problems.flatMap((p) => p.snapshots ?? []))].sort();
  /** Names `at` once in each problem that any of `keys` belongs to. */
  const note = (keys: Iterable<string>, snapshot: Id, at: string) => {
    const hit = new Set<AffectedTarget>();
    for (const key of keys) for (const p of byKey.get(key) ?? []) hit.add(p);
    for (const p of hit) {
      if (!p.snapshots?.includes(snapshot)) continue;
      p.filesTotal = (p.filesTotal ?? 0) + 1;
      p.files ??= [];
      if (p.files.length < MAX_FILES_PER_PROBLEM) p.files.push(`${snapshot.slice(0, 8)}:${at}`);
    }
  };
  for (const sn of snapshots) {
    let root: Id;
    try {
      root = (await repo.loadSnapshot(sn)).tree;
    } catch {
      continue; // an unreadable snapshot is a problem of its own
    }
    const walk = async (tree: Id, at: string): Promise<void> => {
      throwIfAborted(signal);
      const key = 't' + tree;
      if (byKey.has(key)) {
        note([key], sn, at);
        return;
      }
      let nodes;
      try {
        nodes = (await repo.loadTree(tree)).nodes;
      } catch (err) {
        if (!isCairnError(err) || err.code === 'ABORTED') throw err;
        return;
      }
      for (const node of nodes) {
        const p = at === '/' ? `/${node.name}` : `${at}/${node.name}`;
        if (node.type === 'file') {
          // Every damaged blob of the file counts: each may be a problem of its own.
          const hits = (node.content ?? []).map((c) => 'd' + c).filter((k) => byKey.has(k));
          if (hits.length) note(hits, sn, p);
        } else if (node.type === 'dir' && node.subtree) {
          await walk(node.subtree, p);
        }
      }
    };
    await walk(root, '/');
  }
}
