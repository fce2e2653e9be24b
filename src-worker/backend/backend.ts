// The storage a repository lives on. Small on purpose: every backend (local disk here; SFTP, S3,
// REST later) implements these operations, and wrappers (retry, cache) compose over them.

export const FILE_TYPES = ['config', 'keys', 'locks', 'snapshots', 'index', 'data'] as const;
export type FileType = (typeof FILE_TYPES)[number];

export interface FileInfo {
  name: string;
  size: number;
}

export interface Range {
  offset: number;
  length: number;
}

export interface Backend {
  /** Where the repository is, for messages (never contains secrets). */
  readonly location: string;
  /** True when `load` of a local file is cheap, so callers need not cache it. */
  readonly isLocal: boolean;
  /**
   * Transfers the backend serves well at once (`-o <scheme>.connections=N`); remote backends set
   * it, and backup uploads and restore downloads keep at most this many in flight.
   */
  readonly connections?: number;
  /** For backends on a local file system: the file's path, so worker threads can read it directly. */
  localPath?(type: FileType, name: string): string;

  /** Creates the directory layout of a new repository. Fails if a config exists already. */
  create(): Promise<void>;
  /** Lists the files of one type. Names that are not ids (temporary files) are skipped. */
  list(type: FileType): AsyncIterable<FileInfo>;
  /** Size of a file; throws CairnError NOT_FOUND if it does not exist. */
  stat(type: FileType, name: string): Promise<FileInfo>;
  /** Whole file, or the given byte range of it. */
  load(type: FileType, name: string, range?: Range): Promise<Buffer>;
  /** Stores a file atomically: it appears under its name complete or not at all. */
  save(type: FileType, name: string, data: Uint8Array): Promise<void>;
  /** Stores the finished local file at `path` (a pack assembled by a worker), then deletes `path`. */
  saveFile(type: FileType, name: string, path: string): Promise<void>;
  remove(type: FileType, name: string): Promise<void>;
  /** A local directory where packs can be assembled before `saveFile`. */
  stagingDir(): Promise<string>;
  /**
   * Backends that stage inside the repository (local): removes what other runs left staged there,
   * such as the packs of a backup that was killed. Only under an exclusive lock, when no other
   * writer can be running. Returns how many entries it removed.
   */
  clearStaging?(): Promise<number>;
  close(): Promise<void>;
}
