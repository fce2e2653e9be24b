// OpenSSH known_hosts files: which host keys this user has accepted. Plain and hashed host
// entries ("|1|salt|hash", HMAC-SHA1 of the host name), "[host]:port" for other ports, and
// @revoked markers. Used by the SFTP backend to refuse unknown and changed host keys.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type HostKeyStatus = 'known' | 'unknown' | 'changed' | 'revoked';

/** How OpenSSH names a host in known_hosts: "host" on port 22, "[host]:port" otherwise. */
export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's fingerprint: "SHA256:" and the unpadded base64 of the key blob's SHA-256. */
export function fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

function hostMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    const re = new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Checks a host's key (the SSH wire-format blob) against a known_hosts file. */
export function checkHostKey(file: string, host: string, port: number, keyBlob: Buffer): HostKeyStatus {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 'unknown';
  }
  const name = hostPattern(host, port);
  const keyType = keyBlob.readUInt32BE(0) <= keyBlob.length - 4 ? keyBlob.subarray(4, 4 + keyBlob.readUInt32BE(0)).toString('latin1') : '';
  const key64 = keyBlob.toString('base64');
  let sawOtherKeyOfSameType = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let fields = line.split(/\s+/);
    let marker = '';
    if (fields[0]!.startsWith('@')) {
      marker = fields[0]!;
      fields = fields.slice(1);
    }
    const [hosts, type, data] = fields;
    if (!hosts || !type || !data || !hostMatches(hosts, name)) continue;
    if (data === key64) {
      if (marker === '@revoked') return 'revoked';
      if (marker === '') return 'known';
    } else if (type === keyType && marker === '') {
      sawOtherKeyOfSameType = true;
    }
  }
  return sawOtherKeyOfSameType ? 'changed' : 'unknown';
}

/** Records a newly accepted key, as `ssh -o StrictHostKeyChecking=accept-new` does. */
export function addHostKey(file: string, host: string, port: number, keyBlob: Buffer): void {
  const keyType = keyBlob.subarray(4, 4 + keyBlob.readUInt32BE(0)).toString('latin1');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.appendFileSync(file, `${hostPattern(host, port)} ${keyType} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
}
