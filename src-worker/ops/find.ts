// `find`: nodes whose path matches a glob, or the places that reference given blob and tree ids,
// across snapshots, with restic 0.14's walk rules.
//
// Patterns use restic's path matching (filter.Match): a pattern without "/" matches any path
// component, so it also matches everything below a matching directory; a pattern with "/" matches
// consecutive components, anchored at the root when it starts with "/". Directories nothing below
// could match are skipped, and, as in restic, a subtree seen to hold nothing of interest is
// remembered by id and skipped wherever it appears again, in this and in later snapshots.
import { CairnError, throwIfAborted } from '../errors.ts';
import { compilePatterns, goToLower } from '../filter/filter.ts';
import type { Id } from '../format/id.ts';
import { parsePackTail } from '../format/pack.ts';
import { parseTime } from '../format/time.ts';
import type { TreeNode } from '../format/tree.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { goClean } from '../filter/filter.ts';

export interface FindPatternOptions {
  patterns: string[];
  ignoreCase?: boolean;
  /** Only nodes modified at or after this instant (ns since the epoch). */
  oldest?: bigint;
  /** Only nodes modified at or before this instant (ns since the epoch). */
  newest?: bigint;
  signal?: AbortSignal;
}

export interface FindIdsOptions {
  /** Data blob ids (full, or the 8-digit short form) to look for in file contents. */
  blobs?: string[];
  /** Tree ids (full or 8-digit short form) to look for as directory subtrees. */
  trees?: string[];
  signal?: AbortSignal;
}

export interface FoundObject {
  kind: 'blob' | 'tree';
  id: Id;
  /** The file (for a blob) or directory (for a tree) that references it. */
  path: string;
  /** For a blob: the tree that lists the file. */
  parentTree?: Id;
}

/** The walk callback's verdict: whether the node counts as "ignored", and whether to skip a dir. */
interface Verdict { ignore: boolean; skip?: boolean; stop?: boolean }

type Visit = (parentTree: Id, path: string, node: TreeNode) => Verdict;

/**
 * restic's walker: visits nodes in name order, skips subtrees in `ignoreTrees`, and adds a
 * subtree to it when the visitor ignored the directory or every node below it. Returns whether
 * every node of the tree was ignored, or 'stop' to end the whole walk.
 */
async function walk(repo: Repository, prefix: string, treeId: Id, ignoreTrees: Set<Id>, visit: Visit, signal?: AbortSignal): Promise<boolean | 'stop'> {
  throwIfAborted(signal);
  const tree = await repo.loadTree(treeId);
  let allIgnored = tree.nodes.length > 0;
  for (const node of tree.nodes) {
    const p = goClean(prefix + '/' + node.name);
    if (node.type !== 'dir') {
      const v = visit(treeId, p, node);
      if (v.stop) return 'stop';
      if (!v.ignore) allIgnored = false;
      continue;
    }
    if (!node.subtree) throw new CairnError('CORRUPT_OBJECT', `directory ${p} has no subtree: the repository is damaged, run "cairn check"`);
    if (ignoreTrees.has(node.subtree)) continue;
    const v = visit(treeId, p, node);
    if (v.stop) return 'stop';
    if (v.skip) {
      if (v.ignore) ignoreTrees.add(node.subtree);
      continue;
    }
    if (v.ignore) ignoreTrees.add(node.subtree);
    else allIgnored = false;
    const below = await walk(repo, p, node.subtree, ignoreTrees, visit, signal);
    if (below === 'stop') return 'stop';
    if (below) ignoreTrees.add(node.subtree);
    else allIgnored = false;
  }
  return allIgnored;
}

interface Matcher {
  match(path: string): boolean;
  childMayMatch(path: string): boolean;
}

/** One restic filter.Match pattern; "" matches everything, and a leading "!" is not a negation here. */
function compileOne(pattern: string): Matcher {
  const body = pattern.startsWith('!') ? pattern.slice(1) : pattern;
  if (pattern === '' || body === '') return { match: () => true, childMayMatch: () => true };
  return compilePatterns([body]);
}

/**
 * Walks each snapshot in order and calls `emit` for every node whose path matches one of the
 * patterns (and whose mtime lies within oldest..newest when given).
 */
export async function findPatterns(repo: Repository, snapshots: SnapshotEntry[], opts: FindPatternOptions, emit: (sn: SnapshotEntry, path: string, node: TreeNode) => void): Promise<void> {
  if (opts.patterns.length === 0) throw new CairnError('INVALID_ARGUMENT', 'find needs at least one pattern');
  const matchers = opts.patterns.map((p) => compileOne(opts.ignoreCase ? goToLower(p) : p));
  await repo.loadIndex();
  // Shared by all snapshots, as restic shares it: an uninteresting subtree is skipped everywhere.
  const ignoreTrees = new Set<Id>();
  for (const sn of snapshots) {
    await walk(repo, '/', sn.snapshot.tree, ignoreTrees, (_parent, path, node) => {
      const subject = opts.ignoreCase ? goToLower(path) : path;
      const found = matchers.some((m) => m.match(subject));
      let noMatch: Verdict = { ignore: true };
      if (node.type === 'dir') {
        noMatch = matchers.some((m) => m.childMayMatch(subject)) ? { ignore: false } : { ignore: true, skip: true };
      }
      if (!found) return noMatch;
      if (opts.oldest !== undefined || opts.newest !== undefined) {
        let mtime: bigint;
        try {
          mtime = parseTime(node.mtime);
        } catch {
          mtime = 0n;
        }
        if (opts.oldest !== undefined && mtime < opts.oldest) return noMatch;
        if (opts.newest !== undefined && mtime > opts.newest) return noMatch;
      }
      emit(sn, path, node);
      return { ignore: false };
    }, opts.signal);
  }
}

/** Matches a full id against a list of full or 8-digit ids; a short match is expanded in place. */
function takeId(wanted: Set<string>, id: Id): boolean {
  if (wanted.has(id)) return true;
  const short = id.slice(0, 8);
  if (!wanted.has(short)) return false;
  wanted.delete(short);
  wanted.add(id);
  return true;
}

/** Every place in the snapshots that references one of the blob or tree ids, in walk order. */
export async function findIds(repo: Repository, snapshots: SnapshotEntry[], opts: FindIdsOptions, emit: (sn: SnapshotEntry, hit: FoundObject) => void): Promise<void> {
  const blobs = opts.blobs ? new Set(opts.blobs) : null;
  const trees = opts.trees ? new Set(opts.trees) : null;
  await repo.loadIndex();
  let treesFound = 0;
  const ignoreTrees = new Set<Id>();
  for (const sn of snapshots) {
    await walk(repo, '/', sn.snapshot.tree, ignoreTrees, (parent, path, node) => {
      if (node.type === 'dir' && trees && node.subtree && (trees.has(node.subtree) || trees.has(node.subtree.slice(0, 8)))) {
        emit(sn, { kind: 'tree', id: node.subtree, path });
        treesFound++;
        // restic ends this snapshot's walk once it has seen as many trees as it was given.
        if (treesFound >= trees.size && !blobs) return { ignore: true, stop: true };
      }
      if (node.type === 'file' && blobs) {
        for (const id of node.content ?? []) {
          if (takeId(blobs, id)) emit(sn, { kind: 'blob', id, path, parentTree: parent });
        }
      }
      return { ignore: false };
    }, opts.signal);
  }
}

/** The ids of the blobs in the given packs (full or 8-digit ids), read from the pack headers. */
export async function packBlobs(repo: Repository, packs: string[]): Promise<{ blobs: Id[]; fromIndex: Id[] }> {
  const wanted = new Set(packs);
  const blobs = new Set<Id>();
  for await (const f of repo.backend.list('data')) {
    if (!takeId(wanted, f.name)) continue;
    wanted.delete(f.name);
    const data = await repo.backend.load('data', f.name);
    const parsed = parsePackTail(repo.key, data, data.length, f.name.slice(0, 8), repo.version >= 2);
    if ('needBytes' in parsed) throw new CairnError('CORRUPT_PACK', `pack ${f.name.slice(0, 8)} has a header longer than the pack`);
    for (const b of parsed.blobs) blobs.add(b.id);
    if (wanted.size === 0) break;
  }
  // Packs missing from the repository may still be listed in the index, as restic falls back to.
  const fromIndex = new Set<Id>();
  if (wanted.size > 0) {
    await repo.loadIndex();
    for (const { id, location } of repo.index.entries()) {
      if (!takeId(wanted, location.packId) && !fromIndex.has(location.packId)) continue;
      blobs.add(id);
      fromIndex.add(location.packId);
    }
    for (const p of fromIndex) wanted.delete(p);
  }
  if (wanted.size > 0) throw new CairnError('NOT_FOUND', `unable to find pack(s): ${[...wanted].sort().join(' ')}; check the pack ids (file names under data/ in the repository)`);
  return { blobs: [...blobs], fromIndex: [...fromIndex] };
}
