// The remote column of `npm run bench`: Cairn and restic over SFTP to an OpenSSH server on
// loopback (started here, with its own keys), and Cairn alone over s3rver (restic 0.14's S3
// client does not work with s3rver). Initial backup and full restore of the same data.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startS3rver, type S3rver } from '../test/helpers/s3rver.ts';
import { startSshd } from '../test/helpers/sshd.ts';

export interface RemoteMeasure { wall: number; cpu: number; rssMiB: number }
export type RemoteResults = Record<string, { restic?: RemoteMeasure; cairn?: RemoteMeasure }>;

/** Runs one measured command; `cmd` is argv, env added to the bench's. */
type Runner = (cmd: string[], env: NodeJS.ProcessEnv) => RemoteMeasure;

export async function benchRemote(root: string, data: string, work: string, run: Runner): Promise<RemoteResults | string> {
  if (process.getuid?.() !== 0) return 'remote: skipped (starting a second sshd needs root)';
  if (spawnSync('sh', ['-c', 'command -v /usr/sbin/sshd']).status !== 0) return 'remote: skipped (apt-get install -y openssh-server)';
  const results: RemoteResults = {};
  const dir = path.join(work, 'remote');
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(work, 0o755);
  const sshd = await startSshd(path.join(dir, 'sshd'));
  let s3rver: S3rver | null = null;
  try {
    s3rver = await startS3rver(path.join(dir, 's3rver'));
    const { port, user, knownHosts } = sshd;
    const sshCommand = `ssh -i ${sshd.userKey} -p ${port} -o UserKnownHostsFile=${knownHosts} -o BatchMode=yes ${user}@127.0.0.1 -s sftp`;
    const cairn = (args: string[]) => [path.join(root, 'bin/cairn.js'), ...args];
    const cairnEnv = { ...sshd.cairnEnv, CAIRN_CACHE_DIR: path.join(dir, 'cairn-cache') };
    const cairnRepo = `sftp://${user}@127.0.0.1:${port}/${path.join(dir, 'repo-cairn')}`;
    const resticRepo = `sftp:${user}@127.0.0.1:${path.join(dir, 'repo-restic')}`;
    const restic = (args: string[]) => ['restic', '-r', resticRepo, '-o', `sftp.command=${sshCommand}`, ...args];
    const resticEnv = { RESTIC_CACHE_DIR: path.join(dir, 'restic-cache') };

    run(restic(['init']), resticEnv);
    run(cairn(['-r', cairnRepo, 'init']), cairnEnv);
    results['sftp: initial backup'] = {
      restic: run(restic(['backup', data, '-q']), resticEnv),
      cairn: run(cairn(['-r', cairnRepo, 'backup', data, '-q']), cairnEnv),
    };
    results['sftp: full restore'] = {
      restic: run(restic(['restore', 'latest', '--target', path.join(dir, 'restore-restic'), '-q']), resticEnv),
      cairn: run(cairn(['-r', cairnRepo, 'restore', 'latest', '--target', path.join(dir, 'restore-cairn'), '-q']), cairnEnv),
    };
    for (const t of ['restic', 'cairn']) fs.rmSync(path.join(dir, `restore-${t}`), { recursive: true, force: true });

    const s3Env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', CAIRN_CACHE_DIR: path.join(dir, 'cairn-cache-s3') };
    const s3Repo = `s3:${s3rver.endpoint}/bench/repo`;
    run(cairn(['-r', s3Repo, 'init']), s3Env);
    results['s3rver: initial backup'] = { cairn: run(cairn(['-r', s3Repo, 'backup', data, '-q']), s3Env) };
    results['s3rver: full restore'] = { cairn: run(cairn(['-r', s3Repo, 'restore', 'latest', '--target', path.join(dir, 'restore-s3'), '-q']), s3Env) };
    fs.rmSync(path.join(dir, 'restore-s3'), { recursive: true, force: true });
    return results;
  } finally {
    sshd.stop();
    s3rver?.stop();
  }
}
