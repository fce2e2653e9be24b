// Tree blobs: a directory listing as JSON {"nodes":[...]} with nodes sorted by name, each node
// encoded with restic's field order and omissions so equal directories give equal blob ids.
import { goJson, goString } from './gojson.ts';
import { CairnError } from '../errors.ts';
import { goQuoteInner, goUnquoteInner } from './goquote.ts';
import { encodeName } from './raw-names.ts';
import { sameInstant } from './time.ts';

import type { Id } from './id.ts';

export type NodeType = 'file' | 'dir' | 'symlink' | 'dev' | 'chardev' | 'fifo' | 'socket' | 'irregular';

export interface ExtendedAttribute { name: string; value: string /* base64 */ }

export interface TreeNode {
  name: string;
  type: NodeType;
  mode?: number;
  mtime: string;
  atime: string;
  ctime: string;
  uid: number;
  gid: number;
  user?: string;
  group?: string;
  inode?: number;
  device_id?: number;
  size?: number;
  links?: number;
  linktarget?: string;
  linktarget_raw?: string;
  extended_attributes?: ExtendedAttribute[];
  generic_attributes?: Record<string, unknown>;
  device?: number;
  content: Id[] | null;
  subtree?: Id;
  error?: string;
}

export interface Tree { nodes: TreeNode[] }

const ZERO_TIME = '0001-01-01T00:00:00Z';
// Trees are the most numerous objects a command reads (one per directory per snapshot), so they
// are checked by hand rather than through a schema library: same strictness, a fraction of the cost.
const NODE_TYPES = new Set<string>(['file', 'dir', 'symlink', 'dev', 'chardev', 'fifo', 'socket', 'irregular']);
const HEX_ID = /^[0-9a-f]{64}$/;
const NUMBER_FIELDS = ['mode', 'uid', 'gid', 'inode', 'device_id', 'size', 'links', 'device'] as const;
const STRING_FIELDS = ['mtime', 'atime', 'ctime', 'user', 'group', 'linktarget', 'linktarget_raw', 'error'] as const;

type RawNode = Record<string, unknown>;

function malformed(id: Id, where: string, expected: string): never {
  throw new CairnError('CORRUPT_OBJECT', `tree ${id.slice(0, 8)} is malformed at ${where}: expected ${expected}; the repository is damaged, run "cairn check"`);
}

function checkNode(n: unknown, i: number, id: Id): RawNode {
  const at = `nodes.${i}`;
  if (typeof n !== 'object' || n === null || Array.isArray(n)) malformed(id, at, 'an object');
  const o = n as RawNode;
  if (typeof o.name !== 'string') malformed(id, `${at}.name`, 'a string');
  if (typeof o.type !== 'string' || !NODE_TYPES.has(o.type)) malformed(id, `${at}.type`, 'a known node type');
  for (const f of NUMBER_FIELDS) {
    const v = o[f];
    if (v != null && (typeof v !== 'number' || !(v >= 0))) malformed(id, `${at}.${f}`, 'a number >= 0');
  }
  for (const f of STRING_FIELDS) {
    const v = o[f];
    if (v != null && typeof v !== 'string') malformed(id, `${at}.${f}`, 'a string');
  }
  if (o.content != null) {
    if (!Array.isArray(o.content)) malformed(id, `${at}.content`, 'a list of blob ids');
    for (let k = 0; k < o.content.length; k++) {
      const c = o.content[k];
      if (typeof c !== 'string' || !HEX_ID.test(c)) malformed(id, `${at}.content.${k}`, 'a 64-digit hex id');
    }
  }
  if (o.subtree != null && (typeof o.subtree !== 'string' || !HEX_ID.test(o.subtree))) malformed(id, `${at}.subtree`, 'a 64-digit hex id');
  if (o.extended_attributes != null) {
    if (!Array.isArray(o.extended_attributes)) malformed(id, `${at}.extended_attributes`, 'a list');
    for (const a of o.extended_attributes as unknown[]) {
      const e = a as { name?: unknown; value?: unknown } | null;
      if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || (e.value != null && typeof e.value !== 'string')) {
        malformed(id, `${at}.extended_attributes`, 'name/value pairs');
      }
    }
  }
  if (o.generic_attributes != null && (typeof o.generic_attributes !== 'object' || Array.isArray(o.generic_attributes))) {
    malformed(id, `${at}.generic_attributes`, 'an object');
  }
  return o;
}

export function decodeTree(value: unknown, id: Id): Tree {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) malformed(id, 'the top level', 'an object');
  const list = (value as { nodes?: unknown }).nodes;
  if (list != null && !Array.isArray(list)) malformed(id, 'nodes', 'a list');
  const nodes: TreeNode[] = ((list ?? []) as unknown[]).map((raw, i) => {
    const n = checkNode(raw, i, id) as RawNode & { name: string; type: NodeType; content?: Id[] | null; extended_attributes?: { name: string; value?: string | null }[] | null; generic_attributes?: Record<string, unknown> | null } & Partial<Record<(typeof NUMBER_FIELDS)[number], number | null>> & Partial<Record<(typeof STRING_FIELDS)[number], string | null>> & { subtree?: Id | null };
    const name = goUnquoteInner(n.name);
    if (name === null) throw new CairnError('CORRUPT_OBJECT', `tree ${id.slice(0, 8)} has a node name that is not validly escaped (${JSON.stringify(n.name)}): the repository is damaged; run "cairn check"`);
    const node: TreeNode = {
      name, type: n.type,
      mtime: n.mtime ?? ZERO_TIME, atime: n.atime ?? ZERO_TIME, ctime: n.ctime ?? ZERO_TIME,
      uid: n.uid ?? 0, gid: n.gid ?? 0,
      content: n.content ?? null,
    };
    if (n.mode) node.mode = n.mode;
    if (n.user) node.user = n.user;
    if (n.group) node.group = n.group;
    if (n.inode) node.inode = n.inode;
    if (n.device_id) node.device_id = n.device_id;
    if (n.size) node.size = n.size;
    if (n.links) node.links = n.links;
    if (n.linktarget) node.linktarget = n.linktarget;
    if (n.linktarget_raw) node.linktarget_raw = n.linktarget_raw;
    if (n.extended_attributes?.length) node.extended_attributes = n.extended_attributes.map((a) => ({ name: a.name, value: a.value ?? '' }));
    if (n.generic_attributes && Object.keys(n.generic_attributes).length) node.generic_attributes = n.generic_attributes;
    if (n.device) node.device = n.device;
    if (n.subtree) node.subtree = n.subtree;
    if (n.error) node.error = n.error;
    return node;
  });
  return { nodes };
}

/** One node as restic 0.14 (plus the fields later versions added, when present) encodes it. */
export function encodeNode(n: TreeNode): string {
  let s = '{"name":' + goString(goQuoteInner(n.name)) + ',"type":"' + n.type + '"';
  if (n.mode) s += ',"mode":' + n.mode;
  s += ',"mtime":"' + n.mtime + '","atime":"' + n.atime + '","ctime":"' + n.ctime + '"';
  s += ',"uid":' + n.uid + ',"gid":' + n.gid;
  if (n.user) s += ',"user":' + goString(n.user);
  if (n.group) s += ',"group":' + goString(n.group);
  if (n.inode) s += ',"inode":' + n.inode;
  if (n.device_id) s += ',"device_id":' + n.device_id;
  if (n.size) s += ',"size":' + n.size;
  if (n.links) s += ',"links":' + n.links;
  if (n.linktarget) s += ',"linktarget":' + goString(n.linktarget);
  if (n.linktarget_raw) s += ',"linktarget_raw":' + goString(n.linktarget_raw);
  if (n.extended_attributes?.length) s += ',"extended_attributes":' + goJson(n.extended_attributes);
  if (n.generic_attributes) s += ',"generic_attributes":' + goJson(n.generic_attributes);
  if (n.device) s += ',"device":' + n.device;
  s += ',"content":' + (n.content ? '[' + n.content.map((c) => '"' + c + '"').join(',') + ']' : 'null');
  if (n.subtree) s += ',"subtree":"' + n.subtree + '"';
  if (n.error) s += ',"error":' + goString(n.error);
  return s + '}';
}

const sameList = <T>(a: readonly T[] | null | undefined, b: readonly T[] | null | undefined, eq: (x: T, y: T) => boolean) =>
  (a?.length ?? 0) === (b?.length ?? 0) && (a ?? []).every((x, i) => eq(x, b![i]!));

/**
 * Whether two nodes record the same thing, field by field as restic's Node.Equals decides it
 * (times as instants, a missing field equal to its zero value). Backup counts a directory as
 * unmodified only when its new node equals the parent's, as restic's summary does.
 */
export function sameNode(a: TreeNode, b: TreeNode): boolean {
  return a.name === b.name && a.type === b.type && (a.mode ?? 0) === (b.mode ?? 0)
    && sameInstant(a.mtime, b.mtime) && sameInstant(a.atime, b.atime) && sameInstant(a.ctime, b.ctime)
    && a.uid === b.uid && a.gid === b.gid && (a.user ?? '') === (b.user ?? '') && (a.group ?? '') === (b.group ?? '')
    && (a.inode ?? 0) === (b.inode ?? 0) && (a.device_id ?? 0) === (b.device_id ?? 0) && (a.size ?? 0) === (b.size ?? 0)
    && (a.links ?? 0) === (b.links ?? 0) && (a.linktarget ?? '') === (b.linktarget ?? '') && (a.device ?? 0) === (b.device ?? 0)
    && sameList(a.content, b.content, (x, y) => x === y)
    && sameList(a.extended_attributes, b.extended_attributes, (x, y) => x.name === y.name && x.value === y.value)
    && (a.subtree ?? null) === (b.subtree ?? null) && (a.error ?? '') === (b.error ?? '');
}

/** Compares names the way Go compares strings: by UTF-8 bytes, which differs from UTF-16 order. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-8 byte order is code point order, which is UTF-16 unit order except where a surrogate is
  // involved (a pair, or a raw byte of raw-names.ts): only then compare the bytes themselves.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    if ((x >= 0xd800 && x <= 0xdfff) || (y >= 0xd800 && y <= 0xdfff)) return Buffer.compare(encodeName(a), encodeName(b));
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : 1;
}

export function sortNodes(nodes: TreeNode[]): TreeNode[] {
  return nodes.sort((a, b) => compareNames(a.name, b.name));
}

/** The blob bytes of a tree whose nodes are already sorted. */
export function encodeTree(nodes: readonly TreeNode[]): Buffer {
  return Buffer.from('{"nodes":[' + nodes.map(encodeNode).join(',') + ']}\n', 'utf8');
}
