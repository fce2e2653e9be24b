// `check`: is the repository consistent? What restic's checker verifies, plus the snapshots each
// problem touches:
//  - every index file decodes (a damaged one is named, the others still count);
//  - every pack the index names exists with the size its entries add up to;
//  - with read-data (or a subset): each pack's content hashes to its name, every blob the index
//    places in it decrypts and hashes to its id, and the header agrees with the index;
//  - every tree and data blob a snapshot reaches is in the index, and trees are well formed.
// Not errors (restic's severity): duplicate blobs, packs listed by several index files, index
// files in the old format, mixed packs, packs no index names. Unused blobs are errors only when asked for (--check-unused).
import { CairnError, isCairnError } from '../errors.ts';
import type { BlobType, PackedBlob } from '../format/blob.ts';
import { hashId, type Id } from '../format/id.ts';
import { decodeIndexFile } from '../format/index-file.ts';
import { parsePackTail } from '../format/pack.ts';
import { packSizeFromIndex } from '../format/pack-size.ts';
import { mapLimit } from '../repository/concurrency.ts';
import { PackListing } from '../repository/pack-listing.ts';
import { defaultWorkerCount } from '../pool/backup-pool.ts';
import { ownedArrayBuffer, RestorePool } from '../pool/restore-pool.ts';
import type { RestoreTaskResult } from '../pool/restore-protocol.ts';
import type { Repository } from '../repository/repository.ts';
import { attachAffectedFiles } from './check/affected-files.ts';

export type CheckProblemKind = 'missing-pack' | 'pack-size' | 'corrupt-pack' | 'corrupt-blob' | 'corrupt-index'
  | 'corrupt-snapshot' | 'missing-blob' | 'corrupt-tree' | 'unused-blob';

export interface CheckProblem {
  kind: CheckProblemKind;
  /** What is damaged: "data/<pack id>", "index/<id>", "snapshots/<id>", "tree <id>", "data <id>". */
  object: string;
  message: string;
  /** The pack concerned, when there is one. */
  pack?: Id;
  /** The blob concerned, when there is one. */
  blob?: { type: BlobType; id: Id };
  /** Snapshots that reach the damaged thing (they will not restore completely). */
  snapshots?: Id[];
  /** Affected files and directories as "<snapshot id, short>:<path>" (at most MAX_FILES_PER_PROBLEM). */
  files?: string[];
  /** How many files and directories are affected in all. */
  filesTotal?: number;
}

/** Findings restic prints but does not count as errors. */
export interface CheckHint {
  /** duplicate-pack and old-index go away with "repair index"; mixed-pack with prune. */
  kind: 'duplicate-pack' | 'old-index' | 'mixed-pack';
  object: string;
  message: string;
}

export interface CheckOptions {
  readData?: boolean;
  /** Read only a subset of packs: "n/t" (group n of t) or "x%" (random share). */
  readDataSubset?: string;
  /** Report blobs that no snapshot reaches, as errors (restic before 0.14 did; 0.14 ignores the flag). */
  checkUnused?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: CheckProgress) => void;
}

export interface CheckProgress {
  phase: 'index' | 'packs' | 'read-data' | 'snapshots';
  done: number;
  total: number;
  /** read-data only: bytes read so far, and to read in all. */
  bytesDone?: number;
  bytesTotal?: number;
  /** snapshots only: trees checked so far. */
  trees?: number;
}

export interface CheckResult {
  problems: CheckProblem[];
  hints: CheckHint[];
  /** Blobs the index places in more than one pack: wasted space, not an error (prune removes it). */
  duplicateBlobs: { type: BlobType; id: Id; packs: Id[] }[];
  /** Not errors: packs no index names (left by an interrupted backup; prune removes them). */
  unreferencedPacks: Id[];
  indexFiles: number;
  packs: number;
  snapshots: number;
  trees: number;
  packsRead: number;
  bytesRead: number;
}

function selectSubset(packs: Id[], subset: string): Id[] {
  const group = /^(\d+)\/(\d+)$/.exec(subset);
  if (group) {
    const n = Number(group[1]), t = Number(group[2]);
    if (t < 1 || n < 1 || n > t) throw new CairnError('INVALID_ARGUMENT', `--read-data-subset ${subset}: use n/t with 1 <= n <= t`);
    if (t > 256) throw new CairnError('INVALID_ARGUMENT', `--read-data-subset ${subset}: t must be at most 256`);
    // Packs are grouped by the first byte of their id, as restic does, so n/t over all n covers all.
    return packs.filter((id) => (parseInt(id.slice(0, 2), 16) % t) === n - 1);
  }
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(subset);
  if (pct) {
    const p = Number(pct[1]);
    if (p <= 0 || p > 100) throw new CairnError('INVALID_ARGUMENT', `--read-data-subset ${subset}: the percentage must be in (0, 100]`);
    const shuffled = [...packs].sort(() => Math.random() - 0.5);
    return shuffled.slice(0, Math.max(packs.length ? 1 : 0, Math.floor((packs.length * p) / 100)));
  }
  throw new CairnError('INVALID_ARGUMENT', `--read-data-subset ${subset}: use "n/t" or "x%"`);
}

/** Throws INVALID_ARGUMENT for a malformed --read-data-subset, before any work (or lock) starts. */
export function checkSubsetSyntax(subset: string): void {
  selectSubset([], subset);
}

const blobKey = (type: BlobType, id: Id) => (type === 'tree' ? 't' : 'd') + id;

/**
 * Who refers to what, kept while walking so a problem found anywhere can be traced up to the
 * snapshots that reach it. Only trees (not data blobs) are recorded, so this stays small.
 */
class TreeGraph {
  private parents = new Map<Id, Id[]>();
  private roots = new Map<Id, Id[]>();

  addRoot(tree: Id, snapshot: Id): void {
    const r = this.roots.get(tree);
    if (r) r.push(snapshot);
    else this.roots.set(tree, [snapshot]);
  }

  addEdge(parent: Id, child: Id): void {
    const p = this.parents.get(child);
    if (!p) this.parents.set(child, [parent]);
    else if (p[p.length - 1] !== parent) p.push(parent);
  }

  /** Snapshots whose tree reaches any of `trees`, sorted. */
  snapshotsReaching(trees: Iterable<Id>): Id[] {
    const seen = new Set<Id>();
    const out = new Set<Id>();
    const stack = [...trees];
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      for (const sn of this.roots.get(t) ?? []) out.add(sn);
      for (const p of this.parents.get(t) ?? []) stack.push(p);
    }
    return [...out].sort();
  }
}

/** Trees that directly refer to a damaged thing, keyed by that thing (a pack id or a blob key). */
class Referrers {
  private map = new Map<string, Set<Id>>();
  add(key: string, tree: Id): void {
    let s = this.map.get(key);
    if (!s) this.map.set(key, (s = new Set()));
    s.add(tree);
  }
  get(key: string): Set<Id> {
    return this.map.get(key) ?? new Set();
  }
}

export async function check(repo: Repository, opts: CheckOptions = {}): Promise<CheckResult> {
  if (opts.readDataSubset) checkSubsetSyntax(opts.readDataSubset);
  const problems: CheckProblem[] = [];
  const hints: CheckHint[] = [];
  const result: CheckResult = {
    problems, hints, duplicateBlobs: [], unreferencedPacks: [], indexFiles: 0, packs: 0, snapshots: 0, trees: 0, packsRead: 0, bytesRead: 0,
  };
  /** Set when read-data or the walk failed: the other one stops too. */
  let stopped = false;
  const aborted = () => {
    if (stopped || opts.signal?.aborted) throw new CairnError('ABORTED', 'check was cancelled');
  };
  const readAny = opts.readData === true || !!opts.readDataSubset;

  // ---- index files, one by one, so a damaged one is named rather than fatal ----------------
  const indexNames: Id[] = [];
  for await (const f of repo.backend.list('index')) indexNames.push(f.name);
  result.indexFiles = indexNames.length;
  const expectedPackSize = new Map<Id, number>();
  const packIndexes = new Map<Id, Id[]>();
  const packTypes = new Map<Id, number>();
  /** The index's entries per pack, kept only when packs will be read (to verify each blob). */
  let packBlobs: PackListing | null = readAny ? new PackListing() : null;
  const duplicates = new Map<string, { type: BlobType; id: Id; packs: Set<Id> }>();
  let done = 0;
  await mapLimit(indexNames, 8, async (name) => {
    aborted();
    let doc;
    try {
      doc = decodeIndexFile(await repo.loadUnpacked('index', name), name, repo.version >= 2);
    } catch (err) {
      if (!isCairnError(err) || err.code === 'ABORTED') throw err;
      problems.push({ kind: 'corrupt-index', object: `index/${name}`, message: `error loading index ${name}: ${err.message}` });
      opts.onProgress?.({ phase: 'index', done: ++done, total: indexNames.length });
      return;
    }
    if (doc.oldFormat) hints.push({ kind: 'old-index', object: `index/${name}`, message: `index ${name} has old format` });
    // Everything below is synchronous, so concurrent loads cannot interleave inside it.
    for (const p of doc.packs) {
      const listed = packIndexes.get(p.id);
      if (listed) {
        listed.push(name);
        continue; // the same pack in a second index file: its blobs are known already
      }
      packIndexes.set(p.id, [name]);
      let types = 0;
      for (const b of p.blobs) {
        types |= b.type === 'tree' ? 2 : 1;
        const loc = repo.index.lookup(b.type, b.id);
        if (loc && loc.packId !== p.id) {
          const k = blobKey(b.type, b.id);
          const d = duplicates.get(k);
          if (d) d.packs.add(p.id);
          else duplicates.set(k, { type: b.type, id: b.id, packs: new Set([loc.packId, p.id]) });
        }
      }
      packTypes.set(p.id, types);
      repo.index.addPack(p.id, p.blobs);
      expectedPackSize.set(p.id, packSizeFromIndex(p.blobs));
      packBlobs?.addPack(p.id, p.blobs);
    }
    opts.onProgress?.({ phase: 'index', done: ++done, total: indexNames.length });
  });
  hints.sort((a, b) => (a.object < b.object ? -1 : 1)); // old-index hints come in load order
  result.duplicateBlobs = [...duplicates.values()].map((d) => ({ type: d.type, id: d.id, packs: [...d.packs].sort() }));
  for (const [pack, names] of packIndexes) {
    if (names.length > 1) hints.push({ kind: 'duplicate-pack', object: `data/${pack}`, message: `pack ${pack} contained in several indexes: ${names.map((n) => n.slice(0, 8)).join(', ')}` });
    if (packTypes.get(pack) === 3) hints.push({ kind: 'mixed-pack', object: `data/${pack}`, message: `pack ${pack.slice(0, 8)} contains a mix of tree and data blobs` });
  }
  result.packs = expectedPackSize.size;

  // ---- packs: exist, right size; packs nobody indexes are only reported ---------------------
  aborted();
  const actual = new Map<Id, number>();
  for await (const f of repo.backend.list('data')) actual.set(f.name, f.size);
  /** Packs whose blobs cannot be trusted to load: missing, or of the wrong size. */
  const badPacks = new Map<Id, CheckProblem>();
  for (const [id, size] of expectedPackSize) {
    const got = actual.get(id);
    let problem: CheckProblem | null = null;
    if (got === undefined) problem = { kind: 'missing-pack', object: `data/${id}`, pack: id, message: `pack ${id}: does not exist` };
    else if (got !== size) problem = { kind: 'pack-size', object: `data/${id}`, pack: id, message: `pack ${id}: unexpected file size: got ${got}, expected ${size}` };
    if (problem) {
      problems.push(problem);
      badPacks.set(id, problem);
    }
  }
  for (const id of actual.keys()) if (!expectedPackSize.has(id)) result.unreferencedPacks.push(id);
  result.unreferencedPacks.sort();
  opts.onProgress?.({ phase: 'packs', done: actual.size, total: actual.size });

  // ---- read-data and the walk over the snapshots, at the same time ---------------------------
  // The workers read packs while the main thread walks the trees. The walk notes who refers to a
  // blob only for blobs known to be damaged, so when read-data finds any, the walk runs once more
  // afterwards to trace them to snapshots and files (a healthy repository never pays for that).
  /** Damaged blobs found by reading packs: blob key → the problem reporting it. */
  const corruptBlobs = new Map<string, CheckProblem>();
  const readDataProblems: CheckProblem[] = [];
  let readDone = !readAny;
  const readData = async () => {
    let packs = [...expectedPackSize.keys()].filter((id) => actual.get(id) === expectedPackSize.get(id)).sort();
    if (opts.readDataSubset) packs = selectSubset(packs, opts.readDataSubset);
    const bytesTotal = packs.reduce((s, id) => s + actual.get(id)!, 0);
    let read = 0;
    opts.onProgress?.({ phase: 'read-data', done: 0, total: packs.length, bytesDone: 0, bytesTotal });
    // Workers decrypt and hash; one more pack in flight than workers keeps them all busy.
    const workers = defaultWorkerCount();
    const pool = new RestorePool(repo.key, workers);
    try {
      await mapLimit(packs, workers + 1, async (id) => {
        aborted();
        const listed = packBlobs!.packNumber(id);
        const found = await readPack(repo, pool, id, actual.get(id)!, listed < 0 ? [] : packBlobs!.blobs(listed));
        for (const p of found) {
          readDataProblems.push(p);
          if (p.blob) corruptBlobs.set(blobKey(p.blob.type, p.blob.id), p);
        }
        result.packsRead++;
        result.bytesRead += actual.get(id)!;
        opts.onProgress?.({ phase: 'read-data', done: ++read, total: packs.length, bytesDone: result.bytesRead, bytesTotal });
      });
    } finally {
      await pool.close();
      packBlobs = null;
    }
  };

  const snapshotIds = (await repo.listSnapshotIds()).sort();
  let walkProgress: CheckProgress = { phase: 'snapshots', done: 0, total: snapshotIds.length, trees: 0 };
  // While packs are still being read, the walk's progress is held back: one phase at a time.
  const walked = (p: CheckProgress) => {
    walkProgress = p;
    if (readDone) opts.onProgress?.(p);
  };
  const walkContext: WalkContext = { badPacks, actual, corruptBlobs, checkUnused: opts.checkUnused === true, aborted, onProgress: walked };
  const settled = await Promise.allSettled([
    (readAny ? readData() : Promise.resolve()).then(() => {
      readDone = true;
      opts.onProgress?.(walkProgress);
    }),
    walkSnapshots(repo, snapshotIds, walkContext),
  ].map((p) => p.catch((err: unknown) => { stopped = true; throw err; })));
  const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  // A real failure of one side, not the other side's "stopped" that it caused.
  if (failed.length) throw (failed.find((r) => !isCairnError(r.reason, 'ABORTED')) ?? failed[0]).reason;
  let walk = (settled[1] as PromiseFulfilledResult<Walk>).value;
  if (corruptBlobs.size > 0) walk = await walkSnapshots(repo, snapshotIds, walkContext);
  problems.push(...readDataProblems, ...walk.snapshotProblems);
  result.snapshots = walk.snapshots;
  result.trees = walk.trees;
  const { graph, referrers, missing, treeProblems, seenTrees, usedData } = walk;

  // ---- who is affected: every problem gets the snapshots that reach it -----------------------
  for (const p of badPacks.values()) p.snapshots = graph.snapshotsReaching(referrers.get(p.pack!));
  for (const [key, p] of corruptBlobs) p.snapshots = graph.snapshotsReaching(referrers.get(key));
  for (const [key, m] of missing) {
    problems.push({
      kind: 'missing-blob', object: `${m.type} ${m.id}`, blob: { type: m.type, id: m.id },
      message: `${m.where}: ${m.type} blob ${m.id} not found in index`,
      snapshots: graph.snapshotsReaching(referrers.get(key)),
    });
  }
  for (const p of treeProblems) {
    p.snapshots = graph.snapshotsReaching(referrers.get('load' + p.blob!.id));
    problems.push(p);
  }

  const wrongSize = new Map([...badPacks.values()].filter((p) => p.kind === 'pack-size').map((p) => [p.pack!, actual.get(p.pack!)!]));
  await attachAffectedFiles(repo, problems, opts.signal, wrongSize);

  if (usedData) {
    for (const { id, location } of repo.index.entries()) {
      const used = location.type === 'tree' ? seenTrees.has(id) : usedData.has(id);
      if (!used) problems.push({ kind: 'unused-blob', object: `${location.type} ${id}`, blob: { type: location.type, id }, message: `unused blob ${location.type}/${id}` });
    }
  }
  return result;
}

interface Walk {
  graph: TreeGraph;
  referrers: Referrers;
  /** Blobs not in the index: key → a description of the first place that refers to it. */
  missing: Map<string, { type: BlobType; id: Id; where: string }>;
  treeProblems: CheckProblem[];
  snapshotProblems: CheckProblem[];
  seenTrees: Set<Id>;
  usedData: Set<Id> | null;
  snapshots: number;
  trees: number;
}

interface WalkContext {
  badPacks: Map<Id, CheckProblem>;
  actual: Map<Id, number>;
  /** Damaged blobs known so far: only for these are the referring trees noted. */
  corruptBlobs: Map<string, CheckProblem>;
  checkUnused: boolean;
  aborted: () => void;
  onProgress: (p: CheckProgress) => void;
}

/** Every snapshot and the trees and blobs it reaches: what is missing or malformed, and who refers to it. */
async function walkSnapshots(repo: Repository, snapshotIds: Id[], ctx: WalkContext): Promise<Walk> {
  const { badPacks, actual, corruptBlobs, aborted } = ctx;
  const w: Walk = {
    graph: new TreeGraph(), referrers: new Referrers(), missing: new Map(), treeProblems: [], snapshotProblems: [],
    seenTrees: new Set(), usedData: ctx.checkUnused ? new Set() : null, snapshots: 0, trees: 0,
  };
  const { graph, referrers, missing, treeProblems, seenTrees, usedData } = w;
  let done = 0;

  /**
   * Notes a reference to a blob; `referrer` is the tree the damage climbs from (the referring tree
   * for data, the subtree itself for trees). False when the blob cannot be loaded at all.
   */
  const refer = (type: BlobType, id: Id, where: string, referrer: Id): boolean => {
    const key = blobKey(type, id);
    const loc = repo.index.lookup(type, id);
    if (!loc) {
      if (!missing.has(key)) missing.set(key, { type, id, where });
      referrers.add(key, referrer);
      return false;
    }
    const bad = badPacks.get(loc.packId);
    // A pack of the wrong size loses only the blobs that reach past its end (a pack larger than
    // its index says lost none: the index lacks entries, which are problems of their own).
    if (bad && (bad.kind === 'missing-pack' || loc.offset + loc.length > actual.get(loc.packId)!)) referrers.add(loc.packId, referrer);
    if (corruptBlobs.has(key)) referrers.add(key, referrer);
    return bad?.kind !== 'missing-pack';
  };

  const visitTree = async (id: Id, push: (child: Id) => void) => {
    let t;
    try {
      t = await repo.loadTree(id, false); // each tree once (seenTrees): keeping them would only hold memory
    } catch (err) {
      if (!isCairnError(err) || err.code === 'ABORTED') throw err;
      // A tree in a damaged pack is reported once, with that pack (its problem names the snapshots).
      if (corruptBlobs.has(blobKey('tree', id))) return;
      treeProblems.push({ kind: 'corrupt-tree', object: `tree ${id}`, blob: { type: 'tree', id }, message: `tree ${id}: cannot be loaded: ${err.message}` });
      referrers.add('load' + id, id);
      return;
    }
    w.trees++;
    const errs: string[] = [];
    for (const node of t.nodes) {
      if (node.name === '') errs.push('node with empty name');
      if (node.type === 'dir') {
        if (!node.subtree) {
          errs.push(`dir node "${node.name}" has no subtree`);
          continue;
        }
        graph.addEdge(id, node.subtree);
        if (refer('tree', node.subtree, `dir "${node.name}" in tree ${id.slice(0, 8)}`, node.subtree) && !seenTrees.has(node.subtree)) {
          seenTrees.add(node.subtree);
          push(node.subtree);
        }
      } else if (node.type === 'file') {
        if (!node.content) errs.push(`file "${node.name}" has nil blob list`);
        for (const c of node.content ?? []) {
          refer('data', c, `file "${node.name}" in tree ${id.slice(0, 8)}`, id);
          usedData?.add(c);
        }
      }
    }
    if (errs.length) {
      treeProblems.push({ kind: 'corrupt-tree', object: `tree ${id}`, blob: { type: 'tree', id }, message: `tree ${id}: ${errs.join('; ')}` });
      referrers.add('load' + id, id);
    }
  };

  for (const snId of snapshotIds) {
    aborted();
    let root: Id;
    try {
      root = (await repo.loadSnapshot(snId)).tree;
    } catch (err) {
      if (!isCairnError(err) || err.code === 'ABORTED') throw err;
      w.snapshotProblems.push({ kind: 'corrupt-snapshot', object: `snapshots/${snId}`, message: `snapshot ${snId}: ${err.message}`, snapshots: [snId] });
      continue;
    }
    w.snapshots++;
    graph.addRoot(root, snId);
    if (refer('tree', root, `snapshot ${snId.slice(0, 8)}`, root) && !seenTrees.has(root)) {
      seenTrees.add(root);
      await walkConcurrently(root, 8, async (id, push) => {
        aborted();
        await visitTree(id, push);
      });
    }
    ctx.onProgress({ phase: 'snapshots', done: ++done, total: snapshotIds.length, trees: w.trees });
  }
  return w;
}

/** Visits `root` and everything `visit` pushes, with at most `limit` visits in flight. */
async function walkConcurrently(root: Id, limit: number, visit: (id: Id, push: (child: Id) => void) => Promise<void>): Promise<void> {
  const queue: Id[] = [root];
  let running = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (queue.length === 0 && running === 0) return resolve();
      while (running < limit && queue.length) {
        const id = queue.pop()!;
        running++;
        visit(id, (c) => queue.push(c)).then(() => {
          running--;
          pump();
        }, (err) => {
          failed = true;
          reject(err);
        });
      }
    };
    pump();
  });
}

/**
 * Reads a whole pack and verifies it as restic does: each blob the index places in it decrypts
 * and hashes to its id, the pack hashes to its name, and its header agrees with the index.
 * Returns one problem per damaged blob (naming pack and blob) and one for any other defect.
 * The reading, decrypting and hashing happen in the worker threads (a local pack is read there
 * directly); only the header is parsed here.
 */
async function readPack(repo: Repository, pool: RestorePool, id: Id, size: number, indexed: PackedBlob[]): Promise<CheckProblem[]> {
  const blobs = [...indexed].sort((a, b) => a.offset - b.offset);
  const items = blobs.map((b) => ({ id: b.id, type: b.type, at: b.offset, length: b.length, uncompressedLength: b.uncompressedLength, writes: [] }));
  const other: string[] = [];
  let end = 0;
  for (const b of blobs) {
    if (b.offset !== end) other.push('index for pack contains gaps / overlapping blobs');
    end = b.offset + b.length;
  }
  const inRange = items.filter((i) => i.at + i.length <= size);
  let result: RestoreTaskResult;
  const backend = repo.backend;
  if (backend.localPath) {
    result = await pool.run({ packId: id, file: { path: backend.localPath('data', id), offset: 0, length: size }, items: inRange, sparse: false, verifyPack: true });
  } else {
    let data: Buffer;
    try {
      data = await backend.load('data', id);
    } catch (err) {
      if (!isCairnError(err)) throw err;
      return [{ kind: 'missing-pack', object: `data/${id}`, pack: id, message: `pack ${id} failed to download: ${err.message}` }];
    }
    result = await pool.run({ packId: id, buffer: ownedArrayBuffer(data), items: inRange, sparse: false, verifyPack: true });
  }
  const out: CheckProblem[] = [];
  const byId = new Map(blobs.map((b) => [b.id, b]));
  for (const f of result.failures) {
    if (!f.blob) {
      // The pack itself could not be read (shorter than the index says, an I/O error).
      other.push(f.message);
      continue;
    }
    const b = byId.get(f.blob)!;
    out.push({ kind: 'corrupt-blob', object: `${b.type} ${b.id}`, pack: id, blob: { type: b.type, id: b.id }, message: `pack ${id}: ${b.type} blob ${b.id}: ${f.message}` });
  }
  for (const b of blobs) {
    if (b.offset + b.length > size) {
      out.push({ kind: 'corrupt-blob', object: `${b.type} ${b.id}`, pack: id, blob: { type: b.type, id: b.id }, message: `pack ${id}: ${b.type} blob ${b.id}: blob lies beyond the end of the pack` });
    }
  }
  if (result.sha256 !== undefined && result.sha256 !== id) other.push(`pack ID does not match, want ${id.slice(0, 8)}, got ${result.sha256.slice(0, 8)}`);
  if (result.tail) {
    try {
      const parsed = parsePackTail(repo.key, new Uint8Array(result.tail), size, id.slice(0, 8), repo.version >= 2);
      if ('needBytes' in parsed) throw new CairnError('CORRUPT_PACK', `pack ${id.slice(0, 8)} has a truncated header`);
      const byKey = new Map(blobs.map((b) => [blobKey(b.type, b.id), b]));
      for (const h of parsed.blobs) {
        const ix = byKey.get(blobKey(h.type, h.id));
        if (!ix || ix.offset !== h.offset || ix.length !== h.length || ix.uncompressedLength !== h.uncompressedLength) {
          other.push(`blob ${h.id} is not contained in index or position is incorrect`);
        }
      }
      if (parsed.blobs.length !== blobs.length) other.push(`pack header lists ${parsed.blobs.length} blobs, the index ${blobs.length}`);
    } catch (err) {
      if (!isCairnError(err)) throw err;
      other.push(err.message);
    }
  }
  // A damaged blob also changes the pack's hash; say so only when nothing more specific was found.
  const rest = out.length ? other.filter((m) => !m.startsWith('pack ID does not match')) : other;
  if (rest.length) out.push({ kind: 'corrupt-pack', object: `data/${id}`, pack: id, message: `pack ${id} contains ${rest.length} error${rest.length === 1 ? '' : 's'}: ${rest.join('; ')}` });
  return out;
}
