// The SFTP backend against Debian's OpenSSH server on loopback (started here with its own host
// key, user key and known_hosts): round trips that restic checks, and the host-key and key
// errors users meet. Needs root to run sshd as a second server (CI runs as root).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { makeOddTree } from '../helpers/odd-files.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';
import { cairn, cairnAsyncOk, cairnOk, freePort, requireTool, resticOk, tmpDir } from '../helpers/tools.ts';

const isRoot = process.getuid?.() === 0;
let work: string;
let src: string;
let port: number;
let sshd: Sshd | null = null;
let env: NodeJS.ProcessEnv;
const user = os.userInfo().username;


before(async () => {
  if (!isRoot) return;
  requireTool('/usr/sbin/sshd', 'apt-get install -y openssh-server');
  work = tmpDir('sftp');
  fs.chmodSync(work, 0o755);
  src = path.join(work, 'src');
  makeOddTree(src);
  // The server's files (keys, known_hosts) live in `work`, where the tests below refer to them.
  sshd = await startSshd(work);
  port = sshd.port;
  env = { ...sshd.cairnEnv, CAIRN_RETRY_BASE_MS: '20' };
});
after(() => {
  sshd?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const skip = !isRoot && 'running a second sshd needs root';

test('sftp: init, backup, restore; restic checks what landed and reads it over SFTP too', { skip }, () => {
  const dir = path.join(work, 'repo');
  const repo = `sftp://${user}@127.0.0.1:${port}/${dir}`;
  cairnOk(['-r', repo, 'init'], { env });
  cairnOk(['-r', repo, 'backup', src], { env });
  assert.match(resticOk(dir, ['check', '--read-data']), /no errors were found/);
  const target = path.join(work, 'restored');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', target], { env });
  assert.deepEqual(compareTrees(src, path.join(target, src)), []);
  // The other spelling, with the key given as a backend option.
  const short = `sftp:${user}@127.0.0.1:${dir}`;
  const r = cairn(['-r', short, 'snapshots'], { env: { ...env, CAIRN_SFTP_KEY: undefined } });
  assert.equal(r.code, 1, 'port 22 is not our server');
  assert.match(cairnOk(['-r', repo, '-o', `sftp.key=${path.join(work, 'user_key')}`, 'snapshots'], { env: { ...env, CAIRN_SFTP_KEY: undefined } }), /1 snapshots/);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'locks')), []);
});

test('sftp: an unknown host key is refused with its fingerprint; accept-new records it', { skip }, () => {
  const emptyKnown = path.join(work, 'known_hosts_empty');
  fs.writeFileSync(emptyKnown, '');
  const repo = `sftp://${user}@127.0.0.1:${port}/${path.join(work, 'repo')}`;
  const r = cairn(['-r', repo, 'snapshots'], { env: { ...env, CAIRN_SFTP_KNOWN_HOSTS: emptyKnown } });
  assert.equal(r.code, 1);
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(work, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  assert.equal(r.stderr.trim(), `Fatal: the host 127.0.0.1:${port} is not known (key ${fp}): check the fingerprint, then connect once with "ssh -p ${port} ${user}@127.0.0.1" or pass -o sftp.accept-new=true`);
  assert.match(cairnOk(['-r', repo, '-o', 'sftp.accept-new=true', 'snapshots'], { env: { ...env, CAIRN_SFTP_KNOWN_HOSTS: emptyKnown } }), /1 snapshots/);
  assert.match(fs.readFileSync(emptyKnown, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 `));
});

test('sftp: a changed host key is a hard error, even with accept-new', { skip }, () => {
  const changed = path.join(work, 'known_hosts_changed');
  const other = fs.readFileSync(path.join(work, 'other_key.pub'), 'utf8').trim().split(' ');
  fs.writeFileSync(changed, `[127.0.0.1]:${port} ${other[0]} ${other[1]}\n`);
  const repo = `sftp://${user}@127.0.0.1:${port}/${path.join(work, 'repo')}`;
  const r = cairn(['-r', repo, '-o', 'sftp.accept-new=true', 'snapshots'], { env: { ...env, CAIRN_SFTP_KNOWN_HOSTS: changed } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /host key of 127\.0\.0\.1:\d+ has CHANGED \(now SHA256:[A-Za-z0-9+/]+\): this may be an attack/);
});

test('sftp: a key the server does not accept, and a closed port, are clear errors', { skip }, async () => {
  const repo = `sftp://${user}@127.0.0.1:${port}/${path.join(work, 'repo')}`;
  const r = cairn(['-r', repo, 'snapshots'], { env: { ...env, CAIRN_SFTP_KEY: path.join(work, 'other_key') } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refused .*no accepted key .*-o sftp\.key=FILE/);
  const closed = await freePort();
  const r2 = cairn(['-r', `sftp://${user}@127.0.0.1:${closed}/x`, 'snapshots'], { env });
  assert.equal(r2.code, 1);
  assert.equal(r2.stderr.trim(), `Fatal: cannot reach 127.0.0.1:${closed} for sftp:${user}@127.0.0.1:${closed}:x: connection refused (is the SSH server running?)`);
});

test('sftp: a backup survives SSH connections dropped mid-transfer (reconnect and retry)', { skip, timeout: 180_000 }, async () => {
  // A TCP proxy in front of sshd that cuts each of the first three connections after ~3 MiB.
  let connections = 0;
  const proxy = net.createServer((client) => {
    const n = ++connections;
    const upstream = net.connect(port, '127.0.0.1');
    let bytes = 0;
    const cut = () => { client.destroy(); upstream.destroy(); };
    client.on('data', (d: Buffer) => {
      bytes += d.length;
      if (n <= 3 && bytes > 3 * 1024 * 1024) return cut();
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    client.on('error', cut);
    upstream.on('error', cut);
    client.on('close', cut);
    upstream.on('close', cut);
  });
  const proxyPort = await freePort();
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  try {
    const known = path.join(work, 'known_hosts_proxy');
    const hostPub = fs.readFileSync(path.join(work, 'host_key.pub'), 'utf8').trim().split(' ');
    fs.writeFileSync(known, `[127.0.0.1]:${proxyPort} ${hostPub[0]} ${hostPub[1]}\n`);
    const dir = path.join(work, 'repo-dropped');
    const repo = `sftp://${user}@127.0.0.1:${proxyPort}/${dir}`;
    const proxyEnv = { ...env, CAIRN_SFTP_KNOWN_HOSTS: known };
    const big = path.join(work, 'big-src');
    fs.mkdirSync(big, { recursive: true });
    fs.writeFileSync(path.join(big, 'random.bin'), (await import('node:crypto')).randomBytes(24 << 20));
    await cairnAsyncOk(['-r', repo, 'init'], { env: proxyEnv });
    await cairnAsyncOk(['-r', repo, 'backup', big], { env: proxyEnv });
    assert.ok(connections > 3, `connections were dropped and made again (${connections})`);
    assert.match(resticOk(dir, ['check', '--read-data']), /no errors were found/);
  } finally {
    proxy.close();
  }
});
