import type { Command } from 'commander';
import {
  CairnError, findIds, findPatterns, goJson, goModeString, goTypeBits, packBlobs, selectSnapshots, shortId,
  type SnapshotEntry, type TreeNode,
} from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { collect, selectionFrom, type FilterFlags } from '../filters.ts';
import { formatLocalTime } from '../format.ts';
import { goTimeJson } from '../gofmt.ts';

interface FindFlags extends FilterFlags {
  snapshot?: string[];
  oldest?: string;
  newest?: string;
  blob?: boolean;
  tree?: boolean;
  pack?: boolean;
  ignoreCase?: boolean;
  long?: boolean;
}

/** A node as restic's find --json prints it: path and permissions first, no name/inode/content. */
function nodeJson(path: string, n: TreeNode): string {
  return goJson({
    path, permissions: goModeString(n.mode ?? 0), type: n.type, mode: n.mode || undefined,
    mtime: goTimeJson(n.mtime), atime: goTimeJson(n.atime), ctime: goTimeJson(n.ctime),
    uid: n.uid, gid: n.gid, user: n.user || undefined, group: n.group || undefined,
    device_id: n.device_id || undefined, size: n.size || undefined, links: n.links || undefined,
    linktarget: n.linktarget || undefined, error: n.error || undefined,
  });
}

function longLine(path: string, n: TreeNode): string {
  const mode = goModeString((n.mode ?? 0) | goTypeBits(n.type));
  const target = n.type === 'symlink' ? ` -> ${n.linktarget ?? ''}` : '';
  return `${mode} ${String(n.uid).padStart(5)} ${String(n.gid).padStart(5)} ${String(n.size ?? 0).padStart(6)} ${formatLocalTime(n.mtime)} ${path}${target}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** restic's --oldest/--newest layouts, in local time (zone names other than UTC are not known here). */
export function parseFindTime(text: string): bigint {
  const s = text.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?(?: ([+-]\d{4}|UTC))?)?$/.exec(s);
  let parts: string[] | null = m ? [m[1], m[2], m[3], m[4], m[5], m[6], m[7]] : null;
  if (!parts) {
    m = /^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?(?: ([+-]\d{4}|UTC))?)?$/.exec(s);
    if (m) parts = [m[3], m[2], m[1], m[4], m[5], m[6], m[7]];
  }
  if (!parts) throw new CairnError('INVALID_ARGUMENT', `unable to parse time: "${text}"; use e.g. "2024-03-01", "2024-03-01 15:04" or "2024-03-01 15:04:05 +0100"`);
  const [y, mo, d, h = '00', mi = '00', sec = '00', zone] = parts;
  const local = `${y}-${mo}-${d}T${h ?? '00'}:${mi ?? '00'}:${sec ?? '00'}`;
  const iso = zone === undefined ? local : zone === 'UTC' ? local + 'Z' : `${local}${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) throw new CairnError('INVALID_ARGUMENT', `unable to parse time: "${text}"`);
  return BigInt(ms) * 1_000_000n;
}

export function registerFind(program: Command, cli: () => Cli): void {
  program.command('find')
    .description('find files and directories by name or path pattern, or where blob, tree and pack ids are used')
    .argument('<pattern...>', 'glob patterns (a pattern with "/" matches paths), or ids with --blob/--tree/--pack')
    .option('-O, --oldest <time>', 'oldest modification date/time')
    .option('-N, --newest <time>', 'newest modification date/time')
    .option('-s, --snapshot <id>', 'snapshot id to search in (repeatable)', collect)
    .option('--blob', 'patterns are data blob ids')
    .option('--tree', 'patterns are tree ids')
    .option('--pack', 'patterns are pack ids')
    .option('-i, --ignore-case', 'ignore case for the patterns')
    .option('-l, --long', 'long listing: mode, owner, size, time')
    .option('-H, --host <host>', 'only snapshots of this host, when no snapshot id is given (repeatable)', collect)
    .option('--tag <taglist>', 'only snapshots with these tags, when no snapshot id is given (repeatable)', collect)
    .option('--path <path>', 'only snapshots including this path, when no snapshot id is given (repeatable)', collect)
    .action(async (patterns: string[], opts: FindFlags) => {
      const c = cli();
      if ([opts.blob, opts.tree, opts.pack].filter(Boolean).length > 1) throw new CairnError('INVALID_ARGUMENT', 'cannot have several ID types: use one of --blob, --tree, --pack');
      const pats = opts.ignoreCase ? patterns.map((p) => p.toLowerCase()) : patterns;
      const oldest = opts.oldest ? parseFindTime(opts.oldest) : undefined;
      const newest = opts.newest ? parseFindTime(opts.newest) : undefined;
      const repo = await c.openRepository();
      await (await c.lockForReading(repo)).confirmed;
      await repo.loadIndex();
      const snapshots = await selectSnapshots(repo, selectionFrom(opts.snapshot ?? [], opts), (m) => c.warn(m));

      // restic streams one JSON array: [{"matches":[...],"hits":n,"snapshot":"id"},...] for
      // patterns, a flat [obj,...] for ids.
      let opened = false;
      let current: SnapshotEntry | null = null;
      let hits = 0;
      const write = (s: string) => process.stdout.write(s);
      const closeGroup = () => { if (current) write(`],"hits":${hits},"snapshot":"${current.id}"}`); };

      if (opts.blob || opts.tree || opts.pack) {
        let blobs = opts.blob ? pats : undefined;
        if (opts.pack) {
          const found = await packBlobs(repo, pats);
          if (found.fromIndex.length) c.warn(`some pack files are missing from the repository, getting their blobs from the repository index: ${found.fromIndex.join(' ')}\n`);
          blobs = found.blobs;
        }
        await findIds(repo, snapshots, { blobs, trees: opts.tree ? pats : undefined, signal: c.signal }, (sn, hit) => {
          if (c.json) {
            write((opened ? ',' : '[') + goJson({
              object_type: hit.kind, id: hit.id, path: hit.path, parent_tree: hit.parentTree, snapshot: sn.id, time: goTimeJson(sn.snapshot.time),
            }));
            opened = true;
            return;
          }
          c.output(`Found ${hit.kind} ${hit.id}`);
          if (hit.kind === 'blob') c.output(` ... in file ${hit.path}\n     (tree ${hit.parentTree})`);
          else c.output(` ... path ${hit.path}`);
          c.output(` ... in snapshot ${shortId(sn.id)} (${formatLocalTime(sn.snapshot.time)})`);
        });
        if (c.json) write(opened ? ']\n' : '[]\n');
        return;
      }

      await findPatterns(repo, snapshots, { patterns, ignoreCase: opts.ignoreCase, oldest, newest, signal: c.signal }, (sn, path, node) => {
        if (c.json) {
          if (!opened) write('[');
          opened = true;
          if (sn !== current) {
            if (current) {
              closeGroup();
              write(',');
            }
            write('{"matches":[');
            current = sn;
            hits = 0;
          }
          write((hits > 0 ? ',' : '') + nodeJson(path, node));
          hits++;
          return;
        }
        if (sn !== current) {
          if (current) c.print('');
          current = sn;
          c.print(`Found matching entries in snapshot ${shortId(sn.id)} from ${formatLocalTime(sn.snapshot.time)}`);
        }
        c.output(opts.long ? longLine(path, node) : path);
      });
      if (c.json) {
        closeGroup();
        write(opened ? ']\n' : '[]\n');
      }
    });
}
