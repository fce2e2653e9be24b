// `check`: is the repository consistent? Structure: every pack the index names exists with the
// expected size, every tree and data blob a snapshot reaches is in the index. With read-data:
// every pack is read, its id, header and every blob verified.
import { CairnError, isCairnError } from '../errors.ts';
import { openBlob } from '../format/blob-codec.ts';
import { hashId, type Id } from '../format/id.ts';
import { decodeIndexFile } from '../format/index-file.ts';
import { parsePackTail } from '../format/pack.ts';
import { mapLimit } from '../repository/concurrency.ts';
import type { Repository } from '../repository/repository.ts';

export interface CheckProblem {
  kind: 'missing-pack' | 'pack-size' | 'corrupt-pack' | 'corrupt-index' | 'corrupt-snapshot' | 'missing-blob' | 'corrupt-tree' | 'corrupt-blob';
  object: string;
  message: string;
  /** Snapshots affected, when known. */
  snapshots?: Id[];
}

export interface CheckOptions {
  readData?: boolean;
  /** Read only a subset of packs: "n/t" (group n of t) or "x%" (random share). */
  readDataSubset?: string;
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface CheckResult {
  problems: CheckProblem[];
  /** Not errors: packs no index names (left by an interrupted backup; prune removes them). */
  unreferencedPacks: Id[];
  snapshots: number;
  trees: number;
  packsRead: number;
}

function selectSubset(packs: Id[], subset: string): Id[] {
  const group = /^(\d+)\/(\d+)$/.exec(subset);
  if (group) {
    const n = Number(group[1]), t = Number(group[2]);
    if (t < 1 || n < 1 || n > t) throw new CairnError('INVALID_ARGUMENT', `--read-data-subset ${subset}: use n/t with 1 <= n <= t`);
    // Packs are grouped by the first byte of their id, as restic does, so n/t over all n covers all.
    return packs.filter((id) => (parseInt(id.slice(0, 2), 16) % t) === n - 1);
  }
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(subset);
  if (pct) {
    const p = Number(pct[1]);
    if (p <= 0 || p > 100) throw new CairnError('INVALID_ARGUMENT', `--read-data-subset ${subset}: the percentage must be in (0, 100]`);
    const shuffled = [...packs].sort(() => Math.random() - 0.5);
    return shuffled.slice(0, Math.max(1, Math.round((packs.length * p) / 100)));
  }
  throw new CairnError('INVALID_ARGUMENT', `--read-data-subset ${subset}: use "n/t" or "x%"`);
}

/** Throws INVALID_ARGUMENT for a malformed --read-data-subset, before any work (or lock) starts. */
export function checkSubsetSyntax(subset: string): void {
  selectSubset([], subset);
}

export async function check(repo: Repository, opts: CheckOptions = {}): Promise<CheckResult> {
  if (opts.readDataSubset) checkSubsetSyntax(opts.readDataSubset);
  const problems: CheckProblem[] = [];
  const result: CheckResult = { problems, unreferencedPacks: [], snapshots: 0, trees: 0, packsRead: 0 };

  // Index files, one by one, so a damaged one is named rather than fatal.
  const indexNames: Id[] = [];
  for await (const f of repo.backend.list('index')) indexNames.push(f.name);
  const expectedPackSize = new Map<Id, number>();
  let done = 0;
  await mapLimit(indexNames, 8, async (name) => {
    try {
      const doc = decodeIndexFile(await repo.loadUnpacked('index', name), name, repo.version >= 2);
      for (const p of doc.packs) {
        repo.index.addPack(p.id, p.blobs);
        let size = 0;
        for (const b of p.blobs) size = Math.max(size, b.offset + b.length);
        // Header: per blob entry plus sealing overhead plus the 4-byte length.
        const header = p.blobs.reduce((s, b) => s + (b.uncompressedLength ? 41 : 37), 0) + 32 + 4;
        expectedPackSize.set(p.id, size + header);
      }
    } catch (err) {
      problems.push({ kind: 'corrupt-index', object: `index/${name}`, message: (err as Error).message });
    }
    opts.onProgress?.('index', ++done, indexNames.length);
  });

  // Packs: exist, right size; packs nobody indexes are only reported.
  const actual = new Map<Id, number>();
  for await (const f of repo.backend.list('data')) actual.set(f.name, f.size);
  for (const [id, size] of expectedPackSize) {
    const got = actual.get(id);
    if (got === undefined) problems.push({ kind: 'missing-pack', object: `data/${id}`, message: `pack ${id.slice(0, 8)} is listed in the index but does not exist` });
    else if (got !== size) problems.push({ kind: 'pack-size', object: `data/${id}`, message: `pack ${id.slice(0, 8)} has ${got} bytes, the index expects ${size}` });
  }
  for (const id of actual.keys()) if (!expectedPackSize.has(id)) result.unreferencedPacks.push(id);

  // Snapshots and everything they reach.
  const snapshotIds = await repo.listSnapshotIds();
  const seenTrees = new Set<Id>();
  const missingBlobs = new Map<string, Set<Id>>();
  const noteMissing = (what: string, sn: Id) => {
    let s = missingBlobs.get(what);
    if (!s) missingBlobs.set(what, (s = new Set()));
    s.add(sn);
  };
  done = 0;
  for (const snId of snapshotIds) {
    let tree: Id;
    try {
      tree = (await repo.loadSnapshot(snId)).tree;
    } catch (err) {
      problems.push({ kind: 'corrupt-snapshot', object: `snapshots/${snId}`, message: (err as Error).message });
      continue;
    }
    result.snapshots++;
    const stack: Id[] = [tree];
    while (stack.length) {
      const id = stack.pop()!;
      if (seenTrees.has(id)) continue;
      seenTrees.add(id);
      if (!repo.index.has('tree', id)) {
        noteMissing(`tree ${id}`, snId);
        continue;
      }
      let t;
      try {
        t = await repo.loadTree(id);
      } catch (err) {
        if (!isCairnError(err)) throw err;
        problems.push({ kind: 'corrupt-tree', object: `tree ${id}`, message: err.message, snapshots: [snId] });
        continue;
      }
      result.trees++;
      for (const node of t.nodes) {
        if (node.type === 'dir') {
          if (!node.subtree) problems.push({ kind: 'corrupt-tree', object: `tree ${id}`, message: `directory "${node.name}" in tree ${id.slice(0, 8)} has no subtree`, snapshots: [snId] });
          else stack.push(node.subtree);
        } else if (node.type === 'file') {
          for (const c of node.content ?? []) if (!repo.index.has('data', c)) noteMissing(`data ${c}`, snId);
        }
      }
    }
    opts.onProgress?.('snapshots', ++done, snapshotIds.length);
  }
  for (const [what, sns] of missingBlobs) {
    const [type, id] = what.split(' ');
    problems.push({ kind: 'missing-blob', object: what, message: `${type} blob ${id.slice(0, 8)} is referenced but not in the index (snapshots ${[...sns].map((s) => s.slice(0, 8)).join(', ')})`, snapshots: [...sns] });
  }

  if (opts.readData || opts.readDataSubset) {
    let packs = [...expectedPackSize.keys()].filter((id) => actual.has(id)).sort();
    if (opts.readDataSubset) packs = selectSubset(packs, opts.readDataSubset);
    done = 0;
    await mapLimit(packs, 2, async (id) => {
      if (opts.signal?.aborted) return;
      const problem = await readPack(repo, id);
      if (problem) problems.push(problem);
      result.packsRead++;
      opts.onProgress?.('read-data', ++done, packs.length);
    });
  }
  return result;
}

/** Reads a whole pack and verifies its name, header, and each blob; returns the first problem. */
async function readPack(repo: Repository, id: Id): Promise<CheckProblem | null> {
  let data: Buffer;
  try {
    data = await repo.backend.load('data', id);
  } catch (err) {
    return { kind: 'missing-pack', object: `data/${id}`, message: `pack ${id.slice(0, 8)} cannot be read: ${(err as Error).message}` };
  }
  if (hashId(data) !== id) return { kind: 'corrupt-pack', object: `data/${id}`, message: `pack ${id.slice(0, 8)} is damaged: its content does not match its name` };
  try {
    const parsed = parsePackTail(repo.key, data, data.length, id.slice(0, 8), repo.version >= 2);
    if ('needBytes' in parsed) throw new CairnError('CORRUPT_PACK', 'unreachable');
    for (const b of parsed.blobs) {
      openBlob(repo.key, data.subarray(b.offset, b.offset + b.length), b.id, b.type, b.uncompressedLength, id);
      const loc = repo.index.lookup(b.type, b.id);
      if (!loc) return { kind: 'corrupt-pack', object: `data/${id}`, message: `pack ${id.slice(0, 8)} holds ${b.type} blob ${b.id.slice(0, 8)} that no index lists: run "cairn repair index"` };
    }
  } catch (err) {
    if (!isCairnError(err)) throw err;
    return { kind: 'corrupt-pack', object: `data/${id}`, message: err.message };
  }
  return null;
}
