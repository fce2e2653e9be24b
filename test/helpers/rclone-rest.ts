// A real REST server for tests: `rclone serve restic` on loopback, optionally behind HTTP basic
// auth (an htpasswd file with a {SHA} entry, which rclone reads), stopped by the caller.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, requireTool } from './tools.ts';

export interface RestServer {
  /** http://127.0.0.1:PORT/ (no user or password in it). */
  url: string;
  stop(): Promise<void>;
}

/** Serves `dir` (created by the first init) over restic's REST protocol; `auth` makes it ask for a login;
 * `at` serves on a given port (the same server again, e.g. after its password changed). */
export async function startRcloneRest(dir: string, auth?: { user: string; password: string }, at?: { port: number }): Promise<RestServer> {
  requireTool('rclone', 'apt-get install -y rclone');
  const port = at?.port ?? await freePort();
  const args = ['serve', 'restic', '--addr', `127.0.0.1:${port}`];
  if (auth) {
    const file = `${dir}.htpasswd`;
    const sha = crypto.createHash('sha1').update(auth.password).digest('base64');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${auth.user}:{SHA}${sha}\n`);
    args.push('--htpasswd', file);
  }
  const child = spawn('rclone', [...args, dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill();
    await new Promise((r) => child.once('exit', r));
  };
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const req = http.request(url + 'config', { method: 'HEAD' }, (res) => { res.resume(); resolve(true); });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (up) return { url, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error('rclone serve restic did not start');
}
