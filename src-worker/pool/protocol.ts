// Messages between the engine's main thread and its worker threads. Plain data only (structured
// clone); byte buffers are transferred, never copied.
import type { FinishedPack } from '../repository/pack-writer.ts';
import type { Compression } from '../format/blob-codec.ts';

export interface WorkerInit {
  key: { encrypt: Uint8Array; macK: Uint8Array; macR: Uint8Array };
  /** Chunker polynomial as hex (bigints do not cross threads). */
  polynomial: string;
  /** null in repository version 1 (no compression at all). */
  compression: Compression | null;
  stagingDir: string;
  /** fsync each finished pack: the staging folder is inside a local repository (see PackWriter). */
  durablePacks: boolean;
  /** Chunk, hash, compress and encrypt as usual to count what would be added, but write nothing. */
  dryRun: boolean;
}

export interface FileJob {
  t: 'file';
  job: number;
  path: string;
  /** Size seen by lstat; the worker reads what is there now. */
  size: number;
}

export interface ClaimReply {
  t: 'claims';
  claim: number;
  /** 1 = store this blob, 0 = the repository has it already. */
  need: Uint8Array;
}

export interface FlushRequest { t: 'flush' }

export type ToWorker = FileJob | ClaimReply | FlushRequest;

export interface FileResult {
  /** Data blob ids in file order. */
  content: string[];
  /** Bytes actually read (the file may have changed since lstat). */
  size: number;
  /** Blobs this file added to the repository, their plaintext and stored bytes. */
  newBlobs: number;
  newBytes: number;
  storedBytes: number;
}

export type FromWorker =
  | { t: 'claim'; claim: number; ids: string[] }
  | { t: 'pack'; pack: FinishedPack }
  | { t: 'done'; job: number; result: FileResult }
  | { t: 'failed'; job: number; code: string; message: string }
  | { t: 'progress'; job: number; bytes: number }
  | { t: 'flushed' }
  | { t: 'fatal'; code: string; message: string };
