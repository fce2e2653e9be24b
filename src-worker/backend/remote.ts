// What the remote backends (REST, rclone, SFTP, S3) share: how a repository file is named in
// messages, and the local folder where packs are assembled before upload.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileType } from './backend.ts';

/** "data/1a2b3c4d on s3:https://..." or "the config of ...", for error messages. */
export function describeFile(location: string, type: FileType, name: string): string {
  return type === 'config' ? `the config of ${location}` : `${type}/${name.slice(0, 8)} on ${location}`;
}

/** A private temporary folder, made on first use and removed with everything in it. */
export class StagingFolder {
  private dir: string | null = null;

  get(): string {
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-staging-'));
    return this.dir;
  }

  remove(): void {
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
