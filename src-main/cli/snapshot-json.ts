// Snapshots in restic's JSON shape: the stored fields in Go's struct order, the time as Go prints
// a time.Time (fraction without trailing zeros, "Z" for a zero offset), then id and short_id.
import { shortId, type GroupKey, type Snapshot, type SnapshotEntry } from '../../src-worker/index.ts';

export function goTimeJson(text: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return text;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zone = /^(Z|z|[+-]00:00)$/.test(m[4]!) ? 'Z' : m[4];
  return `${m[1]}T${m[2]}${frac ? '.' + frac : ''}${zone}`;
}

/** The snapshot alone, as restic embeds it (e.g. in forget's reasons). */
export function snapshotFieldsJson(sn: Snapshot): Record<string, unknown> {
  const out: Record<string, unknown> = { time: goTimeJson(sn.time) };
  if (sn.parent) out.parent = sn.parent;
  out.tree = sn.tree;
  out.paths = sn.paths;
  if (sn.hostname) out.hostname = sn.hostname;
  if (sn.username) out.username = sn.username;
  if (sn.uid) out.uid = sn.uid;
  if (sn.gid) out.gid = sn.gid;
  if (sn.excludes?.length) out.excludes = sn.excludes;
  if (sn.tags?.length) out.tags = sn.tags;
  if (sn.original) out.original = sn.original;
  if (sn.program_version) out.program_version = sn.program_version;
  return out;
}

/** A listed snapshot: its fields plus id and short_id. */
export function snapshotEntryJson(e: SnapshotEntry): Record<string, unknown> {
  return { ...snapshotFieldsJson(e.snapshot), id: e.id, short_id: shortId(e.id) };
}

export function groupKeyJson(key: GroupKey): Record<string, unknown> {
  return { hostname: key.hostname, paths: key.paths, tags: key.tags };
}
