// Debian's OpenSSH server on loopback, for the SFTP tests and the remote bench: its own host key,
// a user key it accepts, another it does not, and a known_hosts file that names it. Running a
// second sshd needs root (CI runs as root).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Sshd {
  port: number;
  user: string;
  /** A private key the server accepts, and one it does not. */
  userKey: string;
  otherKey: string;
  knownHosts: string;
  /** The host's public key as "type base64", for writing other known_hosts entries. */
  hostKey: string;
  /** Environment that makes Cairn use exactly these keys and known_hosts. */
  cairnEnv: NodeJS.ProcessEnv;
  stop(): void;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts sshd with its files in `dir` (created; must be readable by sshd) and waits until it listens. */
export async function startSshd(dir: string): Promise<Sshd> {
  fs.mkdirSync(dir, { recursive: true });
  const keygen = (name: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name)]);
  keygen('host_key');
  keygen('user_key');
  keygen('other_key');
  fs.copyFileSync(path.join(dir, 'user_key.pub'), path.join(dir, 'authorized_keys'));
  const port = await freeLoopbackPort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${path.join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no',
    'PermitRootLogin prohibit-password', 'Subsystem sftp internal-sftp', '',
  ].join('\n'));
  fs.mkdirSync('/run/sshd', { recursive: true });
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: 'ignore' });
  let up = false;
  for (let i = 0; i < 200 && !up; i++) {
    up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (!up) await new Promise((r) => setTimeout(r, 50));
  }
  if (!up) {
    child.kill();
    throw new Error(`sshd did not start on port ${port}`);
  }
  const hostKey = fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
  const userKey = path.join(dir, 'user_key');
  return {
    port, user: os.userInfo().username, userKey, otherKey: path.join(dir, 'other_key'), knownHosts, hostKey,
    cairnEnv: { CAIRN_SFTP_KNOWN_HOSTS: knownHosts, CAIRN_SFTP_KEY: userKey, SSH_AUTH_SOCK: '' },
    stop: () => { child.kill(); },
  };
}
