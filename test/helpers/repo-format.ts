// Inspects a repository's stored form, below what any command shows: which format version its
// config says, whether unpacked files are plain JSON, and whether any pack holds compressed blobs.
// Tests use it to prove that writing into a version 1 repository kept it readable by old restic.
// Also the one way tests damage a file on purpose (flipByte).
import fs from 'node:fs';
import { LocalBackend } from '../../src-worker/backend/local.ts';
import { open } from '../../src-worker/format/crypto.ts';
import { parsePackTail } from '../../src-worker/format/pack.ts';
import { addKey } from '../../src-worker/ops/keys.ts';
import { Repository } from '../../src-worker/repository/repository.ts';

export interface StoredForm {
  version: number;
  /** Unpacked files (index, snapshots) whose plaintext is not raw JSON, as "type/id". */
  encodedUnpacked: string[];
  /** Blobs stored compressed, as "pack/blob". */
  compressedBlobs: string[];
  /** Packs holding both data and tree blobs. */
  mixedPacks: number;
  packs: number;
}

export async function storedForm(repoDir: string, password = 'test-password'): Promise<StoredForm> {
  const repo = await Repository.open(new LocalBackend(repoDir), password);
  const form: StoredForm = { version: repo.version, encodedUnpacked: [], compressedBlobs: [], mixedPacks: 0, packs: 0 };
  for (const type of ['index', 'snapshots'] as const) {
    for await (const f of repo.backend.list(type)) {
      const plain = open(repo.key, await repo.backend.load(type, f.name));
      if (plain[0] !== 0x7b && plain[0] !== 0x5b) form.encodedUnpacked.push(`${type}/${f.name}`);
    }
  }
  for await (const f of repo.backend.list('data')) {
    const raw = await repo.backend.load('data', f.name);
    const parsed = parsePackTail(repo.key, raw, raw.length, f.name, true);
    if ('needBytes' in parsed) throw new Error(`pack ${f.name}: header not readable`);
    form.packs++;
    for (const b of parsed.blobs) if (b.uncompressedLength > 0) form.compressedBlobs.push(`${f.name}/${b.id}`);
    if (new Set(parsed.blobs.map((b) => b.type)).size > 1) form.mixedPacks++;
  }
  return form;
}

/**
 * Replaces the repository's key files by one with a cheap key derivation, so that each of the many
 * restic and Cairn runs of a test opens it in milliseconds instead of restic's calibrated ~0.5 s.
 */
export async function cheapenKeys(repoDir: string, password = 'test-password'): Promise<void> {
  const repo = await Repository.open(new LocalBackend(repoDir), password);
  const old: string[] = [];
  for await (const f of repo.backend.list('keys')) old.push(f.name);
  await addKey(repo, password, { kdf: { N: 1024, r: 8, p: 1 } });
  for (const id of old) await repo.backend.remove('keys', id);
}

/** Damages a repository file on purpose: flips the bits of one byte (files restic wrote are read-only). */
export function flipByte(file: string, at: number): void {
  fs.chmodSync(file, 0o600);
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, at);
  b[0] ^= 0x55;
  fs.writeSync(fd, b, 0, 1, at);
  fs.closeSync(fd);
}
