// `cat`: one repository object as restic 0.14 shows it. JSON objects come back decoded and
// re-shaped the way restic re-encodes them (its struct fields, in its order, times as Go prints
// them); index files, packs and blobs come back as their exact plaintext or stored bytes.
import { CairnError, isCairnError } from '../errors.ts';
import { masterKeyToJSON, open } from '../format/crypto.ts';
import { goTimeJson } from '../format/gotime.ts';
import { hashId, type Id } from '../format/id.ts';
import { decodeKeyFile } from '../format/key.ts';
import { decodeLock } from '../format/lock.ts';
import type { FileType } from '../backend/backend.ts';
import { decodeUnpacked } from '../format/unpacked.ts';
import type { Repository } from '../repository/repository.ts';
import { findSnapshot } from './snapshots.ts';

export const CAT_TYPES = ['config', 'index', 'snapshot', 'key', 'masterkey', 'lock', 'pack', 'blob', 'tree'] as const;
export type CatType = (typeof CAT_TYPES)[number];

export type CatResult =
  /** A JSON object with its members in restic's order, for printing indented. */
  | { kind: 'json'; value: Record<string, unknown> }
  /** The plaintext JSON of an unpacked file, exactly as stored. */
  | { kind: 'text'; text: string }
  /** Raw bytes: a pack file as stored, or a blob's plaintext. */
  | { kind: 'bytes'; data: Buffer; warning?: string };

const FULL_ID = /^[0-9a-f]{64}$/;

function parseFullId(text: string): Id {
  if (!FULL_ID.test(text)) throw new CairnError('INVALID_ARGUMENT', `unable to parse ID "${text}": give all 64 hex digits`);
  return text;
}

/** Loads an unpacked file's plaintext, checking that its content matches its name. */
async function loadUnpackedText(repo: Repository, type: FileType, id: Id): Promise<string> {
  const raw = await repo.backend.load(type, id);
  const what = `${type} ${id.slice(0, 8)}`;
  if (hashId(raw) !== id) throw new CairnError('CORRUPT_OBJECT', `${what} is damaged (its content does not match its name): run "cairn check"`);
  let plain: Buffer;
  try {
    plain = open(repo.key, raw);
  } catch (err) {
    throw new CairnError('CORRUPT_OBJECT', `${what} is damaged (MAC mismatch): run "cairn check"`, { cause: err });
  }
  return decodeUnpacked(plain, what);
}

/** Go's []byte JSON: standard base64 of the decoded bytes. */
const rebase64 = (s: string) => Buffer.from(s, 'base64').toString('base64');

/** A tree blob id from "snapshot" or "snapshot:sub/dir" (the form later restic versions accept). */
async function resolveTree(repo: Repository, spec: string): Promise<Id> {
  const at = spec.indexOf(':');
  const ref = at < 0 ? spec : spec.slice(0, at);
  const sub = at < 0 ? '' : spec.slice(at + 1);
  const sn = await findSnapshot(repo, ref);
  let tree = sn.snapshot.tree;
  let walked = '';
  for (const name of sub.split('/').filter((p) => p !== '')) {
    walked += '/' + name;
    const node = (await repo.loadTree(tree)).nodes.find((n) => n.name === name);
    if (!node) throw new CairnError('NOT_FOUND', `path ${walked} is not in snapshot ${sn.id.slice(0, 8)}: check it with "cairn ls ${sn.id.slice(0, 8)}"`);
    if (node.type !== 'dir' || !node.subtree) throw new CairnError('INVALID_ARGUMENT', `path ${walked} in snapshot ${sn.id.slice(0, 8)} is a ${node.type}, not a directory`);
    tree = node.subtree;
  }
  return tree;
}

export async function cat(repo: Repository, type: string, arg?: string): Promise<CatResult> {
  if (!(CAT_TYPES as readonly string[]).includes(type)) {
    throw new CairnError('INVALID_ARGUMENT', `invalid type "${type}": use one of ${CAT_TYPES.join(', ')}`);
  }
  if (type !== 'config' && type !== 'masterkey' && (arg === undefined || arg === '')) {
    throw new CairnError('INVALID_ARGUMENT', `type or ID not specified: "cat ${type}" needs an id`);
  }
  switch (type as CatType) {
    case 'config':
      return { kind: 'json', value: { version: repo.config.version, id: repo.config.id, chunker_polynomial: repo.config.chunkerPolynomial.toString(16) } };
    case 'masterkey': {
      const k = masterKeyToJSON(repo.key);
      return { kind: 'json', value: { mac: { k: k.mac.k, r: k.mac.r }, encrypt: k.encrypt } };
    }
    case 'index':
      return { kind: 'text', text: await loadUnpackedText(repo, 'index', parseFullId(arg!)) };
    case 'snapshot': {
      // As restic: a full id, else a unique prefix of one.
      const id = FULL_ID.test(arg!) ? arg! : (await findSnapshot(repo, arg!).catch((err: unknown) => {
        if (isCairnError(err) && arg !== 'latest') throw new CairnError(err.code, `could not find snapshot: ${err.message}`, { cause: err });
        throw err;
      })).id;
      const s = await repo.loadSnapshot(id);
      return {
        kind: 'json',
        value: {
          time: goTimeJson(s.time), parent: s.parent, tree: s.tree, paths: s.paths, hostname: s.hostname, username: s.username,
          uid: s.uid || undefined, gid: s.gid || undefined, excludes: s.excludes, tags: s.tags, original: s.original,
        },
      };
    }
    case 'key': {
      const id = parseFullId(arg!);
      const raw = await repo.backend.load('keys', id);
      let doc: unknown;
      try {
        doc = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new CairnError('CORRUPT_OBJECT', `key file ${id.slice(0, 8)} is not valid JSON: the repository is damaged`, { cause: err });
      }
      const k = decodeKeyFile(doc, id.slice(0, 8));
      return {
        kind: 'json',
        value: {
          created: goTimeJson(k.created), username: k.username, hostname: k.hostname, kdf: k.kdf,
          N: k.N, r: k.r, p: k.p, salt: rebase64(k.salt), data: rebase64(k.data),
        },
      };
    }
    case 'lock': {
      const id = parseFullId(arg!);
      const l = decodeLock(await repo.loadUnpacked('locks', id), id);
      return {
        kind: 'json',
        value: { time: goTimeJson(l.time), exclusive: l.exclusive, hostname: l.hostname, username: l.username, pid: l.pid, uid: l.uid || undefined, gid: l.gid || undefined },
      };
    }
    case 'pack': {
      const id = parseFullId(arg!);
      const data = await repo.backend.load('data', id);
      const hash = hashId(data);
      // restic prints the pack anyway and warns: the bytes are what someone debugging wants to see.
      return { kind: 'bytes', data, warning: hash === id ? undefined : `Warning: hash of data does not match ID, want\n  ${id}\ngot:\n  ${hash}` };
    }
    case 'blob': {
      const id = parseFullId(arg!);
      await repo.loadIndex();
      for (const t of ['data', 'tree'] as const) {
        if (repo.index.has(t, id)) return { kind: 'bytes', data: await repo.loadBlob(t, id) };
      }
      throw new CairnError('NOT_FOUND', `blob ${id.slice(0, 8)} not found in the index`);
    }
    case 'tree': {
      await repo.loadIndex();
      return { kind: 'bytes', data: await repo.loadBlob('tree', await resolveTree(repo, arg!)) };
    }
  }
}
