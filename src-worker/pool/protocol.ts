// Messages between the engine's main thread and its worker threads. Plain data only (structured
// clone); byte buffers are transferred, never copied.
import type { MessagePort } from 'node:worker_threads';
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

/** The first message to a backup worker: nothing else is sent before it. */
export interface InitMessage { t: 'init'; init: WorkerInit }

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

/**
 * Tree blobs the repository lacks (already claimed by the main thread), for the worker to compress,
 * encrypt and append to its own tree pack. Several go in one message: `data` holds them back to
 * back, `lengths` their sizes, in the order of `ids`.
 */
export interface TreeBatch { t: 'trees'; ids: string[]; lengths: number[]; data: ArrayBuffer }

export interface FlushRequest { t: 'flush' }

/** A port straight to another worker of the pool, for sharing the sealing of big files' chunks. */
export interface PeerPort { t: 'peer'; port: MessagePort }

export type ToWorker = InitMessage | FileJob | ClaimReply | TreeBatch | FlushRequest | PeerPort;

/**
 * Between two workers (on a PeerPort). A worker with nothing to do asks its peers for work
 * ('steal'); a peer busy with a big file answers, whenever it next has more than one chunk waiting
 * to be sealed, with one of them ('chunk', the bytes transferred), which the asker seals into its own
 * pack and acknowledges ('sealed') with the stored size, or with the error that stopped it. The
 * owner of the file reports it done only after every acknowledgement, so each chunk is in a pack
 * before the pool is flushed.
 */
export type PeerMessage =
  | { t: 'steal' }
  | { t: 'chunk'; ref: number; id: string; data: ArrayBuffer }
  | { t: 'sealed'; ref: number; storedBytes: number; error?: { code: string; message: string } };

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
  /** The worker's packs are finished; `treeStoredBytes`: what the trees sent to it took in them. */
  | { t: 'flushed'; treeStoredBytes: number }
  | { t: 'fatal'; code: string; message: string };
