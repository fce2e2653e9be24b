// Index files as older restic versions (or interrupted runs of any version) left them, made from a
// repository restic 0.14 wrote:
//  - the old format: a bare JSON list of packs, no "packs"/"supersedes" wrapper, no
//    uncompressed_length (restic before 0.2; restic 0.14 still reads it and check hints at it);
//  - supersedes chains whose superseded files still exist (a rebuild or prune stopped between
//    writing the new index and deleting the old), so packs are listed by several index files;
//  - duplicate blobs: the same blobs in two packs, as a backup that could not see the index wrote.
import fs from 'node:fs';
import path from 'node:path';
import type { Id } from '../../src-worker/format/id.ts';
import { resticBackup } from './old-restic-fixture.ts';
import { listFiles, openRepo, rewriteJson, writeJson } from './rewrite-repo.ts';

interface PackJson { id: Id; blobs: { id: Id; type: string; offset: number; length: number; uncompressed_length?: number }[] }
interface IndexJson { supersedes?: Id[]; packs: PackJson[] }

/** Rewrites every index file into the old format; returns the new index ids. Version 1 only. */
export async function toOldIndexFormat(repoDir: string): Promise<Id[]> {
  const repo = await openRepo(repoDir);
  if (repo.version !== 1) throw new Error('the old index format predates compression: use a version 1 repository');
  const out: Id[] = [];
  for (const id of await listFiles(repo, 'index')) {
    out.push(await rewriteJson(repo, 'index', id, (doc) => (doc as IndexJson).packs.map((p) => ({
      id: p.id,
      blobs: p.blobs.map((b) => ({ id: b.id, type: b.type, offset: b.offset, length: b.length })),
    }))));
  }
  return out;
}

/**
 * Writes `length` index files, each listing every pack the current index files list, the first
 * superseding all current ones and each later one superseding its predecessor; nothing is deleted.
 * Returns the chain, oldest first.
 */
export async function addSupersedesChain(repoDir: string, length: number): Promise<Id[]> {
  const repo = await openRepo(repoDir);
  const current = await listFiles(repo, 'index');
  const packs = new Map<Id, PackJson>();
  for (const id of current) {
    const doc = await repo.loadUnpacked('index', id);
    for (const p of Array.isArray(doc) ? (doc as PackJson[]) : (doc as IndexJson).packs) if (!packs.has(p.id)) packs.set(p.id, p);
  }
  const chain: Id[] = [];
  let supersedes = current;
  for (let i = 0; i < length; i++) {
    const id = await writeJson(repo, 'index', { supersedes, packs: [...packs.values()] });
    chain.push(id);
    supersedes = [id];
  }
  return chain;
}

/**
 * Makes restic store every blob of `source` a second time: with the index files moved aside,
 * `restic backup --force` finds none of them in the repository and writes them all into new packs.
 * The index files come back afterwards, so both copies are indexed. Returns the new snapshot's id.
 */
export function duplicateBlobsWithRestic(repoDir: string, source: string, args: string[] = []): Id {
  const index = path.join(repoDir, 'index');
  const aside = `${repoDir}-index-aside`;
  fs.renameSync(index, aside);
  fs.mkdirSync(index);
  try {
    return resticBackup(repoDir, ['--force', ...args, source]);
  } finally {
    for (const name of fs.readdirSync(aside)) fs.renameSync(path.join(aside, name), path.join(index, name));
    fs.rmdirSync(aside);
  }
}
