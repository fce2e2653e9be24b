// Listing a directory without losing names that are not valid UTF-8 (see format/raw-names.ts).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { decodeName, fsPath } from '../../format/raw-names.ts';

// Node reads such a name as U+FFFD; only then is the directory listed again as bytes (a name that
// really contains U+FFFD is valid UTF-8 and decodes to itself).
const LOSSY = '\uFFFD';

export function readDirNamesSync(dir: string): string[] {
  const names = fs.readdirSync(fsPath(dir));
  if (!names.some((n) => n.includes(LOSSY))) return names;
  return fs.readdirSync(fsPath(dir), { encoding: 'buffer' }).map(decodeName);
}

export async function readDirNames(dir: string): Promise<string[]> {
  const names = await fsp.readdir(fsPath(dir));
  if (!names.some((n) => n.includes(LOSSY))) return names;
  return (await fsp.readdir(fsPath(dir), { encoding: 'buffer' })).map(decodeName);
}
