// Tree blobs: a directory listing as JSON {"nodes":[...]} with nodes sorted by name, each node
// encoded with restic's field order and omissions so equal directories give equal blob ids.
import { z } from 'zod';
import { goJson, goString } from './gojson.ts';
import { CairnError } from '../errors.ts';
import { goQuoteInner, goUnquoteInner } from './goquote.ts';
import { hexId, validate } from './schema.ts';
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
const num = z.number().nonnegative();

const nodeSchema = z.looseObject({
  name: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'dev', 'chardev', 'fifo', 'socket', 'irregular']),
  mode: num.nullish(),
  mtime: z.string().nullish(),
  atime: z.string().nullish(),
  ctime: z.string().nullish(),
  uid: num.nullish(),
  gid: num.nullish(),
  user: z.string().nullish(),
  group: z.string().nullish(),
  inode: num.nullish(),
  device_id: num.nullish(),
  size: num.nullish(),
  links: num.nullish(),
  linktarget: z.string().nullish(),
  linktarget_raw: z.string().nullish(),
  extended_attributes: z.array(z.object({ name: z.string(), value: z.string().nullish() })).nullish(),
  generic_attributes: z.record(z.string(), z.unknown()).nullish(),
  device: num.nullish(),
  content: z.array(hexId).nullish(),
  subtree: hexId.nullish(),
  error: z.string().nullish(),
});
const treeSchema = z.object({ nodes: z.array(nodeSchema).nullish() });

export function decodeTree(value: unknown, id: Id): Tree {
  const raw = validate(treeSchema, value, `tree ${id.slice(0, 8)}`);
  const nodes: TreeNode[] = (raw.nodes ?? []).map((n) => {
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

/** Compares names the way Go compares strings: by UTF-8 bytes, which differs from UTF-16 order. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function sortNodes(nodes: TreeNode[]): TreeNode[] {
  return nodes.sort((a, b) => compareNames(a.name, b.name));
}

/** The blob bytes of a tree whose nodes are already sorted. */
export function encodeTree(nodes: readonly TreeNode[]): Buffer {
  return Buffer.from('{"nodes":[' + nodes.map(encodeNode).join(',') + ']}\n', 'utf8');
}
