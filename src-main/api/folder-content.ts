// A snapshot folder's contents, for the browser UI's "download as zip" (the desktop app drags
// folders out instead). Like file-content.ts this is not an operation of the contract: the answer
// is a stream, packed by the transport (`cairn serve` makes a zip of it, src-main/serve/zip.ts).
//
// The folder is walked first, metadata only, so a hostile or unpackable name is refused with one
// clear error before a byte is sent; then each file's blobs are read one at a time, when the
// transport asks for them, so memory stays at one blob however big the files are.
import { CairnError, shortId, type Id, type Repository, type TreeNode } from '../../src-worker/index.ts';
import type { ApiContext } from './context.ts';
import { SnapshotPathInputSchema, withSnapshotPath } from './snapshot-download.ts';

export const FolderContentInputSchema = SnapshotPathInputSchema;

export interface FolderItem {
  /** Relative to the folder, "/"-separated; a folder's own items come after it. */
  path: string;
  type: 'dir' | 'file' | 'symlink';
  /** Permission bits only (restic stores Go's FileMode, whose type bits differ from Unix's). */
  permissions: number;
  mtime: Date;
  size: number;
  linkTarget: string;
  content: Id[];
}

export interface FolderContentSink {
  /** Called once, after the walk: the folder is packable and holds this much. */
  start(info: { name: string; items: number; bytes: number }): void;
  /** Resolves when the item is written; `read` gives a file's bytes, a blob at a time. */
  item(item: FolderItem, read: () => AsyncIterable<Uint8Array>): Promise<void>;
}

/**
 * Names a zip (or the folder it unpacks into) could misread: path separators of any OS, NUL,
 * "." and "..", control characters. The engine's restore refuses fewer (a Linux file may be named
 * "a\b"), but unzip tools turn "\" into a folder separator, so such a file is refused here.
 */
function unsafeName(name: string): boolean {
  return name === '' || name === '.' || name === '..' || /[/\\\x00-\x1f]/.test(name);
}

function parseTime(s: string): Date {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? new Date(0) : d;
}

async function walk(repo: Repository, tree: Id, prefix: string, shownDir: string, out: FolderItem[]): Promise<void> {
  for (const node of (await repo.loadTree(tree)).nodes) {
    if (unsafeName(node.name)) {
      throw new CairnError('UNSAFE_PATH', `${shownDir} holds an entry named ${JSON.stringify(node.name)}, which cannot be put in a zip safely: restore the folder instead`);
    }
    const rel = prefix === '' ? node.name : `${prefix}/${node.name}`;
    const item = itemOf(node, rel);
    if (!item) continue; // devices, pipes and sockets have no bytes to download
    out.push(item);
    if (node.type === 'dir' && node.subtree) await walk(repo, node.subtree, rel, `${shownDir.replace(/\/+$/, '')}/${node.name}`, out);
  }
}

function itemOf(node: TreeNode, rel: string): FolderItem | null {
  if (node.type !== 'dir' && node.type !== 'file' && node.type !== 'symlink') return null;
  return {
    path: rel,
    type: node.type,
    permissions: (node.mode ?? (node.type === 'dir' ? 0o755 : 0o644)) & 0o777,
    mtime: parseTime(node.mtime),
    size: node.type === 'file' ? node.size ?? 0 : 0,
    linkTarget: node.linktarget ?? '',
    content: node.content ?? [],
  };
}

export async function streamSnapshotFolder(ctx: ApiContext, input: unknown, sink: FolderContentSink, signal?: AbortSignal): Promise<void> {
  await withSnapshotPath(ctx, input, 'folder download', async ({ repo, snapshot: sn, path, node }) => {
    if (node !== null && (node.type !== 'dir' || !node.subtree)) throw new CairnError('INVALID_ARGUMENT', `${path} is a ${node.type}, not a folder: download it as a file`);
    const items: FolderItem[] = [];
    await walk(repo, node?.subtree ?? sn.snapshot.tree, '', path, items);
    const name = node?.name ?? `snapshot-${shortId(sn.id)}`;
    sink.start({ name, items: items.length, bytes: items.reduce((n, i) => n + i.size, 0) });
    for (const item of items) {
      if (signal?.aborted) throw new CairnError('ABORTED', 'the download was cancelled');
      await sink.item(item, async function* read() {
        for (const blob of item.content) {
          if (signal?.aborted) throw new CairnError('ABORTED', 'the download was cancelled');
          yield await repo.loadBlob('data', blob);
        }
      });
    }
  });
}
