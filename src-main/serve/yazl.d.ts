// The part of yazl (a streaming zip writer without dependencies on native code) that
// src-main/serve/zip.ts uses; the package ships no types of its own.
declare module 'yazl' {
  import type { Readable } from 'node:stream';

  export interface EntryOptions {
    mtime?: Date;
    /** Unix mode: type and permission bits. */
    mode?: number;
    compress?: boolean;
    forceZip64Format?: boolean;
  }

  export class ZipFile {
    readonly outputStream: Readable;
    addReadStreamLazy(metadataPath: string, options: EntryOptions & { size?: number }, getReadStream: (cb: (err: Error | null, stream?: Readable) => void) => void): void;
    addBuffer(buffer: Buffer, metadataPath: string, options?: EntryOptions): void;
    addEmptyDirectory(metadataPath: string, options?: { mtime?: Date; mode?: number }): void;
    end(options?: { forceZip64Format?: boolean }): void;
    on(event: 'error', listener: (err: Error) => void): this;
  }
}
