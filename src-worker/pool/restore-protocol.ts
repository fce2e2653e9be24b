// Messages of the restore workers: the main thread reads byte ranges of packs and hands them over
// (transferred, not copied); a worker opens, decompresses and verifies each blob and writes it to
// every file offset that needs it.
import type { WorkerInit } from './protocol.ts';

export type RestoreWorkerInit = Pick<WorkerInit, 'key'>;

export interface BlobWrite {
  /** Temporary path of the file being restored; the worker creates it (at `size`) if need be. */
  path: string;
  offset: number;
  /** The whole file's size. */
  size: number;
}

export interface RestoreItem {
  id: string;
  /** Where the sealed blob starts inside the transferred buffer. */
  at: number;
  length: number;
  uncompressedLength: number;
  /** For messages only (default data). */
  type?: 'data' | 'tree';
  writes: BlobWrite[];
}

export interface RestoreTask {
  t: 'restore';
  task: number;
  packId: string;
  /** The pack range's bytes, or (local repositories) where the worker reads them itself. */
  buffer?: ArrayBuffer;
  file?: { path: string; offset: number; length: number };
  items: RestoreItem[];
  /** Leave all-zero blobs as holes (the files were created at full size). */
  sparse: boolean;
  /**
   * check --read-data: the range is a whole pack; also hash it (its name must be that hash) and
   * hand back its sealed header, so the main thread can compare header and index.
   */
  verifyPack?: boolean;
}

export interface RestoreFailure {
  code: string;
  message: string;
  /** The blob that could not be read, or the file that could not be written. */
  blob?: string;
  path?: string;
}

export interface RestoreTaskResult {
  t: 'done';
  task: number;
  bytes: number;
  failures: RestoreFailure[];
  /** With verifyPack: SHA-256 of the whole range, and its header (length-prefixed tail), copied out. */
  sha256?: string;
  tail?: ArrayBuffer;
}
