// s3rver (a real S3 API server from npm) on loopback for tests that need an S3 endpoint, and a way
// to read what landed in its storage folder back as a plain local repository (for `restic check`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, ROOT } from './tools.ts';

/** Environment the S3 backend needs to talk to s3rver (it accepts the S3RVER key pair). */
export const S3RVER_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_PROFILE: '', CAIRN_RETRY_BASE_MS: '20' };

export interface S3rver {
  endpoint: string;
  storage: string;
  /** Copies the objects under bucket/prefix out as files named by their keys, into `out`. */
  localLayout(bucket: string, prefix: string, out: string): string;
  stop(): void;
}

/** Starts s3rver with its storage in `storage` (created), and waits until it answers. */
export async function startS3rver(storage: string): Promise<S3rver> {
  fs.mkdirSync(storage, { recursive: true });
  const port = await freePort();
  const server = spawn(process.execPath, [path.join(ROOT, 'node_modules/s3rver/bin/s3rver.js'), '-d', storage, '-p', String(port), '-a', '127.0.0.1', '--silent'], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const handle: S3rver = {
    endpoint,
    storage,
    stop: () => { server.kill(); },
    localLayout: (bucket, prefix, out) => {
      const base = path.join(storage, bucket, prefix);
      // s3rver keeps each object as KEY._S3rver_object beside metadata files.
      for (const e of fs.readdirSync(base, { recursive: true, withFileTypes: true })) {
        if (!e.isFile() || !e.name.endsWith('._S3rver_object')) continue;
        const rel = path.relative(base, path.join(e.parentPath, e.name)).replace(/\._S3rver_object$/, '');
        fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
        fs.copyFileSync(path.join(e.parentPath, e.name), path.join(out, rel));
      }
      return out;
    },
  };
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      http.get(endpoint + '/', (res) => { res.resume(); resolve(true); }).on('error', () => resolve(false));
    });
    if (up) return handle;
    await new Promise((r) => setTimeout(r, 50));
  }
  server.kill();
  throw new Error('s3rver did not start');
}
