// The folder picker's listing: the subfolders of one folder on the computer running Cairn. A
// browser has no way to pick a folder there (and the desktop app's dialog would be the only one
// with a different look), so the UI browses with this, one folder at a time.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../../src-worker/index.ts';
import type { HandlerTable } from './types.ts';

/** Enough for any folder a person browses; a bigger one is reached by typing its path. */
const MAX_FOLDERS = 1000;

/** Whether a directory entry is a folder, following a symbolic link (a mounted drive often is one). */
async function isFolder(dir: string, entry: import('node:fs').Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return fs.stat(path.join(dir, entry.name)).then((st) => st.isDirectory(), () => false);
}

export const folderHandlers: HandlerTable<'folders.list'> = {
  async 'folders.list'(input) {
    const dir = path.resolve(input.path ?? os.homedir());
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CairnError('NOT_FOUND', `there is no folder ${dir}: check the path, or choose from the folder above`, { cause: err });
      if (code === 'ENOTDIR') throw new CairnError('NOT_FOUND', `${dir} is a file, not a folder: choose the folder it is in`, { cause: err });
      if (code === 'EACCES' || code === 'EPERM') throw new CairnError('PERMISSION_DENIED', `Cairn may not read the folder ${dir}: choose another one, or give your user access to it`, { cause: err });
      throw err;
    }
    const names: string[] = [];
    for (const e of entries) if (await isFolder(dir, e)) names.push(e.name);
    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    // Hidden folders (".config") after the others: they are rarely what a person looks for first.
    names.sort((a, b) => Number(a.startsWith('.')) - Number(b.startsWith('.')) || collator.compare(a, b));
    const parent = path.dirname(dir);
    return { path: dir, parent: parent === dir ? null : parent, folders: names.slice(0, MAX_FOLDERS), more: Math.max(0, names.length - MAX_FOLDERS) };
  },
};
