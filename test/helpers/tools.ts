// Test helpers that run real programs: the restic binary (the compatibility oracle) and our CLI.
// A missing tool fails the test loudly with how to install it; nothing is skipped silently.
import { execFileSync, spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CAIRN_BIN = path.join(ROOT, 'bin', 'cairn.js');

export function requireTool(name: string, install: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${name} is required by this test but is not installed: ${install}`);
  return found;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cairn-${prefix}-`));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs restic with a password from the environment; never throws on a non-zero exit. */
export function restic(repo: string, args: string[], opts: { password?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
  requireTool('restic', 'apt-get install -y restic');
  const r = spawnSync('restic', ['-r', repo, '--no-cache', ...args], {
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, RESTIC_PASSWORD: opts.password ?? 'test-password', ...opts.env },
    maxBuffer: 256 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function resticOk(repo: string, args: string[], opts: Parameters<typeof restic>[2] = {}): string {
  const r = restic(repo, args, opts);
  if (r.code !== 0) throw new Error(`restic ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Runs the cairn CLI in a child process (the real entry point, as users run it). */
/** Each test process gets its own metadata cache, so tests neither share one nor touch the user's. */
const TEST_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-test-cache-'));
process.on('exit', () => fs.rmSync(TEST_CACHE, { recursive: true, force: true }));

export function cairn(args: string[], opts: { password?: string | null; env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): RunResult {
  const env: NodeJS.ProcessEnv = { CAIRN_CACHE_DIR: TEST_CACHE, ...process.env, ...opts.env };
  delete env.RESTIC_PASSWORD;
  delete env.RESTIC_REPOSITORY;
  if (opts.password !== null) env.CAIRN_PASSWORD = opts.password ?? 'test-password';
  const r = spawnSync(process.execPath, [CAIRN_BIN, ...args], { encoding: 'utf8', input: opts.input, env, cwd: opts.cwd, maxBuffer: 256 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function cairnOk(args: string[], opts: Parameters<typeof cairn>[1] = {}): string {
  const r = cairn(args, opts);
  if (r.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Starts the cairn CLI without waiting (for kill tests). */
export function spawnCairn(args: string[], opts: SpawnOptions & { password?: string } = {}) {
  const env: NodeJS.ProcessEnv = { CAIRN_CACHE_DIR: TEST_CACHE, ...process.env, CAIRN_PASSWORD: opts.password ?? 'test-password', ...opts.env };
  return spawn(process.execPath, [CAIRN_BIN, ...args], { ...opts, env });
}

/** The deterministic benchmark dataset from ../shared, generated once per size and cached. */
export function dataset(mb: number): string {
  const script = path.resolve(ROOT, '../shared/bench/make-dataset.mjs');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: the shared folder must sit beside the repository`);
  const dir = path.join(os.tmpdir(), `cairn-dataset-${mb}mb`);
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    execFileSync(process.execPath, [script, dir, '--mb', String(mb)], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, '.complete'), '');
  }
  return dir;
}

/**
 * Like cairn(), without blocking this process: for tests whose servers (a fault-injecting proxy)
 * run inside the test process and must keep answering while the CLI runs.
 */
export function cairnAsync(args: string[], opts: { password?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawnCairn(args, { password: opts.password, env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
    child.stderr!.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export async function cairnAsyncOk(args: string[], opts: Parameters<typeof cairnAsync>[1] = {}): Promise<string> {
  const r = await cairnAsync(args, opts);
  if (r.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (for servers a test starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
