// The built UI, served from one folder. A path is resolved inside the folder and then checked,
// after following symlinks, to still be inside it: "..", encoded slashes and links pointing out
// are refused, not served. Unknown paths without an extension get index.html (the UI's own
// router decides what they show). When the UI is not built, one page says so and how to build it.
import fs from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { contentTypeOf } from '../common/content-types.ts';

/** The UI's policy: its own scripts and styles only, API calls to this origin only. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function securityHeaders(type: string): Record<string, string> {
  return { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY', 'Content-Security-Policy': CSP };
}

export const NOT_BUILT_TEXT = 'The Cairn user interface is not built yet.';

function notBuiltPage(uiDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cairn</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>Cairn</h1>
<p>${NOT_BUILT_TEXT} It is looked for in <code>${escapeHtml(uiDir)}</code>.</p>
<p>Build it with <code>npm run build</code> in the Cairn folder (or start <code>cairn serve --ui DIR</code> with the folder of a built UI), then start <code>cairn serve</code> again.</p>
<p>The API under <code>/api/</code> works meanwhile.</p>
</body></html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The file for a URL path inside `root`, or null when there is none or it would leave `root`. */
export async function resolveStatic(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const realRoot = await fs.realpath(root);
  const candidate = path.resolve(realRoot, '.' + path.posix.normalize('/' + decoded));
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + path.sep);
  if (!inside(candidate)) return null;
  const tryFile = async (p: string): Promise<string | null> => {
    try {
      const real = await fs.realpath(p);
      if (!inside(real)) return null;
      const st = await fs.stat(real);
      if (st.isDirectory()) return tryFile(path.join(real, 'index.html'));
      return st.isFile() ? real : null;
    } catch {
      return null;
    }
  };
  const found = await tryFile(candidate);
  if (found) return found;
  // Client-side routes ("/snapshots/abc") have no extension; assets that are missing do.
  return path.extname(decoded) === '' ? tryFile(path.join(realRoot, 'index.html')) : null;
}

export async function serveStatic(res: ServerResponse, uiDir: string, urlPath: string, head: boolean): Promise<void> {
  const built = await fs.stat(path.join(uiDir, 'index.html')).then((s) => s.isFile(), () => false);
  if (!built) {
    res.writeHead(200, { ...securityHeaders('text/html; charset=utf-8'), 'Cache-Control': 'no-store' });
    res.end(head ? undefined : notBuiltPage(uiDir));
    return;
  }
  const file = await resolveStatic(uiDir, urlPath);
  if (!file) {
    res.writeHead(404, securityHeaders('text/plain; charset=utf-8'));
    res.end(head ? undefined : 'not found\n');
    return;
  }
  const body = await fs.readFile(file);
  const type = contentTypeOf(file);
  res.writeHead(200, { ...securityHeaders(type), 'Content-Length': String(body.length), 'Cache-Control': 'no-cache' });
  res.end(head ? undefined : body);
}
