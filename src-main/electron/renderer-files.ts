// The built UI as the app's scheme serves it: a cairn://app/ URL is resolved inside the renderer
// folder and checked, after following symlinks, to stay inside it ("..", encoded slashes, NUL and
// links pointing out are refused). Paths without an extension get index.html: the UI's router
// decides what they show.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isAppUrl } from './origin.ts';
import { contentTypeOf } from '../common/content-types.ts';

export type RendererFile = { status: 200; file: string; type: string } | { status: 403 | 404 };

async function inside(root: string, file: string): Promise<string | null> {
  try {
    const [realRoot, real] = await Promise.all([fs.realpath(root), fs.realpath(file)]);
    const rel = path.relative(realRoot, real);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
    const st = await fs.stat(real);
    return st.isFile() ? real : null;
  } catch {
    return null;
  }
}

export async function resolveRendererFile(uiDir: string, url: string): Promise<RendererFile> {
  if (!isAppUrl(url)) return { status: 403 };
  const raw = new URL(url).pathname;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { status: 403 };
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return { status: 403 };
  const rel = decoded.replace(/^\/+/, '') || 'index.html';
  const candidate = path.join(uiDir, ...rel.split('/'));
  const found = await inside(uiDir, candidate);
  if (found) return { status: 200, file: found, type: contentTypeOf(found) };
  // A path that exists but leads outside (a symlink) is refused, not replaced by index.html.
  const exists = await fs.lstat(candidate).then(() => true, () => false);
  if (exists) return { status: 403 };
  if (path.extname(rel) === '') {
    const index = await inside(uiDir, path.join(uiDir, 'index.html'));
    if (index) return { status: 200, file: index, type: contentTypeOf('index.html') };
  }
  return { status: 404 };
}
