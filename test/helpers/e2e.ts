// What the UI's end-to-end tests share: a real `cairn serve` in a child process (fresh config
// folder, passwords in the opt-in file, no keyring), Debian's Chromium driven by playwright-core,
// and screenshots of each screen at the sizes the UI must fit, failing on content that sticks out.
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { CAIRN_BIN, ROOT } from './tools.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Chromium and the built UI must be there: fail loudly with how to get them. */
export function requireBrowserAndUi(): void {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is required at ${CHROMIUM}: apt-get install -y chromium`);
  if (!fs.existsSync(path.join(ROOT, 'dist-renderer', 'index.html'))) throw new Error('the UI is not built: run npm run build first');
}

/** Starts `cairn serve` with its config and cache in `work` (and `extraEnv`); resolves with the process and its one URL. */
export async function startServe(work: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ server: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_CONFIG_DIR: path.join(work, 'config'), CAIRN_CACHE_DIR: path.join(work, 'cache'), ...extraEnv };
  // No session bus: the real keyring of whoever runs the tests is never touched.
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.CAIRN_PASSWORD;
  const server = spawn(process.execPath, [CAIRN_BIN, 'serve', '--allow-password-file'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line) resolve(line.trim());
    });
    server.once('exit', (code) => reject(new Error(`cairn serve exited (${code}) before printing its URL:\n${stderr}`)));
  });
  return { server, url };
}

/** Headless Chromium with a fresh profile in `work`, with the flags this sandbox needs. */
export async function launchChromium(work: string, options: { acceptDownloads?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    ...options,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(20_000);
  return { context, page: context.pages()[0] ?? await context.newPage() };
}

/** Closes the browser, stops the server (SIGTERM, waiting for its exit) and removes `work`. */
export async function stopAll(context: BrowserContext | undefined, server: ChildProcess | undefined, work: string): Promise<void> {
  await context?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  fs.rmSync(work, { recursive: true, force: true });
}

const SIZES = [{ w: 1440, h: 900 }, { w: 800, h: 600 }];

/**
 * A screenshot taker for one test file: each call saves the screen at both sizes (and 1440x900
 * dark), numbered in order, into `artifacts`, and fails on content wider than the window. `focus`
 * is scrolled into view after each resize (a panel below the fold).
 */
export function screenshotter(artifacts: string, page: () => Page): (name: string, focus?: Locator) => Promise<void> {
  let shot = 0;
  return async (name, focus) => {
    shot++;
    const p = page();
    for (const scheme of ['light', 'dark'] as const) {
      await p.emulateMedia({ colorScheme: scheme });
      for (const { w, h } of scheme === 'light' ? SIZES : [SIZES[0]!]) {
        await p.setViewportSize({ width: w, height: h });
        if (focus) await focus.scrollIntoViewIfNeeded();
        const overflow = await p.evaluate(() => {
          const out: string[] = [];
          if (document.documentElement.scrollWidth > innerWidth) out.push(`page is ${document.documentElement.scrollWidth}px wide`);
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > innerWidth + 1) out.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(r.right)}px`);
          }
          return out.slice(0, 5);
        });
        assert.deepEqual(overflow, [], `${name} at ${w}x${h} overflows the window`);
        await p.screenshot({ path: path.join(artifacts, `${String(shot).padStart(2, '0')}-${name}-${w}x${h}-${scheme}.png`) });
      }
    }
    await p.emulateMedia({ colorScheme: 'light' });
    await p.setViewportSize({ width: 1440, height: 900 });
  };
}

/**
 * One API call from a test itself (setting things up faster than through the screens, which have
 * their own tests), with the session token of the `cairn serve` URL; fails the test on an error.
 */
export function serveApi(serveUrl: () => string): (method: string, p: string, body?: unknown) => Promise<any> {
  return async (method, p, body) => {
    const u = new URL(serveUrl());
    const res = await fetch(`${u.origin}${p}`, {
      method,
      headers: { authorization: `Bearer ${u.searchParams.get('token')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    assert.ok(res.ok, `${method} ${p}: ${JSON.stringify(json)}`);
    return json;
  };
}
