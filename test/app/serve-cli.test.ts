// `cairn serve` as people run it: a child process from the build in dist/. It prints exactly one
// URL with a fresh token on stdout, answers the API with that token (and refuses without it),
// refuses a non-loopback address without --allow-remote, and exits 0 on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CAIRN_BIN, tmpDir } from '../helpers/tools.ts';
import { request } from '../helpers/serve-client.ts';

function serve(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_CONFIG_DIR: tmpDir('serve-cli-config'), CAIRN_CACHE_DIR: tmpDir('serve-cli-cache') };
  // No session bus: the test must never reach the user's real keyring.
  delete env.DBUS_SESSION_BUS_ADDRESS;
  const child = spawn(process.execPath, [CAIRN_BIN, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`cairn serve exited (${code}) before printing a URL:\n${stderr}`)));
  });
  firstLine.catch(() => {}); // awaited only by the tests that expect a URL
  return { child, firstLine, exited, out: () => stdout, err: () => stderr };
}

test('cairn serve prints one URL with a token, answers the API with it, and exits cleanly on SIGTERM', async () => {
  const s = serve(['--allow-password-file']);
  const url = new URL(await s.firstLine);
  assert.equal(url.hostname, '127.0.0.1');
  const token = url.searchParams.get('token')!;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const server = { port: Number(url.port), token };
  const profiles = await request(server, 'GET', '/api/profiles');
  assert.equal(profiles.status, 200, profiles.text);
  assert.deepEqual(profiles.json, { repositories: [], plans: [] });
  assert.equal((await request(server, 'GET', '/api/profiles', { token: null })).status, 401);

  s.child.kill('SIGTERM');
  assert.equal(await s.exited, 0, s.err());
  assert.equal(s.out().trim().split('\n').length, 1, 'exactly one line on stdout');
  assert.ok(!s.err().includes(token), 'the token is printed once, in the URL only');
});

test('two starts get different tokens', async () => {
  const a = serve([]);
  const b = serve([]);
  const [ua, ub] = [new URL(await a.firstLine), new URL(await b.firstLine)];
  assert.notEqual(ua.searchParams.get('token'), ub.searchParams.get('token'));
  a.child.kill('SIGINT');
  b.child.kill('SIGTERM');
  assert.deepEqual([await a.exited, await b.exited], [0, 0]);
});

test('listening beyond loopback needs --allow-remote, and then warns about the risk', async () => {
  const refused = serve(['--listen', '0.0.0.0:0']);
  assert.equal(await refused.exited, 1);
  assert.match(refused.err(), /--allow-remote/);
  assert.equal(refused.out(), '');

  const allowed = serve(['--listen', '0.0.0.0:0', '--allow-remote']);
  const url = new URL(await allowed.firstLine);
  assert.match(allowed.err(), /anyone who can reach this address/);
  const r = await request({ port: Number(url.port), token: url.searchParams.get('token')! }, 'GET', '/api/profiles');
  assert.equal(r.status, 200);
  allowed.child.kill('SIGTERM');
  assert.equal(await allowed.exited, 0);
});
