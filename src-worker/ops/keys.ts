// `key list|add|remove|passwd`: one key file per password, all sealing the same master key.
import { CairnError } from '../errors.ts';
import { hashId, type Id } from '../format/id.ts';
import { calibrateKdf, createKeyFile, decodeKeyFile, encodeKeyFile, type KdfParams } from '../format/key.ts';
import { nowNs } from '../format/time.ts';
import { currentUser, type Repository } from '../repository/repository.ts';

export interface KeyInfo {
  id: Id;
  current: boolean;
  userName: string;
  hostName: string;
  created: string;
}

export async function listKeys(repo: Repository): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for await (const f of repo.backend.list('keys')) {
    const raw = await repo.backend.load('keys', f.name);
    let doc: unknown;
    try { doc = JSON.parse(raw.toString('utf8')); } catch { continue; }
    const k = decodeKeyFile(doc, f.name);
    out.push({ id: f.name, current: f.name === repo.keyId, userName: k.username, hostName: k.hostname, created: k.created });
  }
  return out.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
}

export async function addKey(repo: Repository, password: string, opts: { user?: string; host?: string; kdf?: KdfParams } = {}): Promise<Id> {
  if (password.length === 0) throw new CairnError('INVALID_ARGUMENT', 'an empty password is not allowed');
  const me = currentUser();
  const keyFile = await createKeyFile(repo.key, password, opts.kdf ?? (await calibrateKdf()),
    { username: opts.user ?? me.username, hostname: opts.host ?? me.hostname }, nowNs());
  const bytes = Buffer.from(encodeKeyFile(keyFile), 'utf8');
  const id = hashId(bytes);
  await repo.backend.save('keys', id, bytes);
  return id;
}

export async function removeKey(repo: Repository, idOrPrefix: string): Promise<Id> {
  const keys = await listKeys(repo);
  const matches = keys.filter((k) => k.id.startsWith(idOrPrefix));
  if (matches.length === 0) throw new CairnError('NOT_FOUND', `no key with id ${idOrPrefix}: see "cairn key list"`);
  if (matches.length > 1) throw new CairnError('INVALID_ARGUMENT', `key id prefix ${idOrPrefix} is ambiguous: give more digits`);
  const id = matches[0].id;
  if (id === repo.keyId) throw new CairnError('INVALID_ARGUMENT', 'refusing to remove the key that opened the repository: open it with another key first');
  await repo.backend.remove('keys', id);
  return id;
}

/** Replaces the current key by one for a new password (the new key is written first). */
export async function changePassword(repo: Repository, newPassword: string, opts: { kdf?: KdfParams } = {}): Promise<Id> {
  const id = await addKey(repo, newPassword, opts);
  await repo.backend.remove('keys', repo.keyId);
  return id;
}
