// Snapshot files: what was backed up, when, from where, and the root tree.
import { goJson } from './gojson.ts';
import { hexId, validate, z } from './schema.ts';
import type { Id } from './id.ts';

export interface Snapshot {
  time: string;
  parent?: Id;
  tree: Id;
  paths: string[];
  hostname?: string;
  username?: string;
  uid?: number;
  gid?: number;
  excludes?: string[];
  tags?: string[];
  original?: Id;
  program_version?: string;
}

const snapshotSchema = z.looseObject({
  time: z.string(),
  parent: hexId.nullish(),
  tree: hexId,
  paths: z.array(z.string()).nullish(),
  hostname: z.string().nullish(),
  username: z.string().nullish(),
  uid: z.number().int().nullish(),
  gid: z.number().int().nullish(),
  excludes: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
  original: hexId.nullish(),
  program_version: z.string().nullish(),
});

export function decodeSnapshot(value: unknown, id: Id): Snapshot {
  const s = validate(snapshotSchema, value, `snapshot ${id.slice(0, 8)}`);
  const out: Snapshot = { time: s.time, tree: s.tree, paths: s.paths ?? [] };
  if (s.parent) out.parent = s.parent;
  if (s.hostname) out.hostname = s.hostname;
  if (s.username) out.username = s.username;
  if (s.uid) out.uid = s.uid;
  if (s.gid) out.gid = s.gid;
  if (s.excludes?.length) out.excludes = s.excludes;
  if (s.tags?.length) out.tags = s.tags;
  if (s.original) out.original = s.original;
  if (s.program_version) out.program_version = s.program_version;
  return out;
}

/** Field order and omissions as restic's Go struct tags give them. */
export function encodeSnapshot(s: Snapshot): string {
  return goJson({
    time: s.time,
    parent: s.parent || undefined,
    tree: s.tree,
    paths: s.paths,
    hostname: s.hostname || undefined,
    username: s.username || undefined,
    uid: s.uid || undefined,
    gid: s.gid || undefined,
    excludes: s.excludes?.length ? s.excludes : undefined,
    tags: s.tags?.length ? s.tags : undefined,
    original: s.original || undefined,
    program_version: s.program_version || undefined,
  });
}
