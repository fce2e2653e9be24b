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

/**
 * Text on the page whose contrast with what is behind it is below WCAG AA (4.5:1, or 3:1 for large
 * text), in the current colour scheme. Disabled controls are exempt (as WCAG says); the background
 * is the first opaque one up the tree, blended with translucent ones on the way.
 */
export async function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const probe = document.createElement('canvas').getContext('2d')!;
    function rgba(css: string): [number, number, number, number] {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = '#000';
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    }
    const lum = ([r, g, b]: number[]) => {
      const f = (c: number) => { const v = c / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    function background(el: Element | null): number[] {
      const layers: [number, number, number, number][] = [];
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let out = [255, 255, 255];
      if (layers.length === 0 || layers[layers.length - 1]![3] < 1) out = rgba(getComputedStyle(document.documentElement).backgroundColor).slice(0, 3);
      for (const [r, g, b, a] of layers.reverse()) out = [r * a + out[0]! * (1 - a), g * a + out[1]! * (1 - a), b * a + out[2]! * (1 - a)];
      return out;
    }
    const bad: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim() || el.closest('[disabled], :disabled, dialog:not([open])')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden' || Number(st.opacity) === 0) continue;
      const fg = rgba(st.color);
      const bg = background(el);
      const text = [fg[0] * fg[3] + bg[0]! * (1 - fg[3]), fg[1] * fg[3] + bg[1]! * (1 - fg[3]), fg[2] * fg[3] + bg[2]! * (1 - fg[3])];
      const [hi, lo] = [lum(text), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi! + 0.05) / (lo! + 0.05);
      const size = parseFloat(st.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`"${n.textContent.trim().slice(0, 40)}" ${ratio.toFixed(2)}:1`);
    }
    return bad.slice(0, 10);
  });
}

/** Fails when text on the screen is below WCAG AA contrast, in light and in dark; leaves the page light. */
export async function assertContrast(page: Page, where: string): Promise<void> {
  // The checker itself must see a faint text (grey on white, 1.9:1), or its silence means nothing.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p id="faint" style="position:fixed;top:0;left:0;color:#bbb;background:#fff">faint probe</p>'));
  const probe = await lowContrast(page);
  await page.evaluate(() => document.getElementById('faint')?.remove());
  assert.ok(probe.some((b) => b.startsWith('"faint probe"')), `the contrast check misses a faint text: ${JSON.stringify(probe)}`);

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await lowContrast(page), [], `text below WCAG AA contrast on ${where} (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Roles people operate; each needs a name a screen reader (and a test) can find it by. */
const CONTROL_ROLES = new Set(['button', 'link', 'textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'listbox', 'slider', 'spinbutton', 'switch', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'treeitem', 'meter', 'progressbar', 'dialog', 'region', 'form', 'navigation']);
/** Landmarks and groups that are only worth naming when they carry one (an unnamed one is not exposed as a landmark). */
const OPTIONAL_NAME = new Set(['region', 'form']);

/** Controls on the screen (as Chromium's accessibility tree has them) with no accessible name. */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Accessibility.enable');
    const { nodes } = await cdp.send('Accessibility.getFullAXTree') as { nodes: { ignored: boolean; role?: { value: string }; name?: { value: string }; backendDOMNodeId?: number }[] };
    const bad: string[] = [];
    for (const n of nodes) {
      const role = n.role?.value ?? '';
      if (n.ignored || !CONTROL_ROLES.has(role) || OPTIONAL_NAME.has(role)) continue;
      if ((n.name?.value ?? '').trim()) continue;
      let html = '';
      if (n.backendDOMNodeId) {
        const { outerHTML } = await cdp.send('DOM.getOuterHTML', { backendNodeId: n.backendDOMNodeId }) as { outerHTML: string };
        html = outerHTML.slice(0, 120);
      }
      bad.push(`${role}: ${html}`);
    }
    return bad;
  } finally {
    await cdp.detach();
  }
}

/** Text fields left with the browser's own look (square, thin): an input type the stylesheet forgot. */
export async function unstyledFields(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')) {
      if (el instanceof HTMLInputElement && ['checkbox', 'radio', 'hidden', 'range', 'file', 'color'].includes(el.type)) continue;
      if (el.getBoundingClientRect().width === 0) continue;
      if (getComputedStyle(el).borderTopLeftRadius === '0px') bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
}

const SIZES = [{ w: 1440, h: 900 }, { w: 800, h: 600 }];

/**
 * A screenshot taker for one test file: each call saves the screen at both sizes (and 1440x900
 * dark), numbered in order, into `artifacts`, and fails on content wider than the window, on text
 * below WCAG AA contrast (light and dark), on a control without an accessible name and on a text
 * field without the app's style. `focus` is scrolled into view after each resize (a panel below
 * the fold).
 */
export function screenshotter(artifacts: string, page: () => Page): (name: string, focus?: Locator) => Promise<void> {
  let shot = 0;
  return async (name, focus) => {
    shot++;
    const p = page();
    // The name check must see an empty button, or its silence means nothing.
    // (Inside an open modal dialog when there is one: the page behind it is inert, out of the tree.)
    await p.evaluate(() => (document.querySelector('dialog[open]') ?? document.body).insertAdjacentHTML('beforeend', '<button id="unnamed-probe" style="position:fixed;top:0;left:0"></button>'));
    const probe = await unnamedControls(p);
    await p.evaluate(() => document.getElementById('unnamed-probe')?.remove());
    assert.ok(probe.some((b) => b.includes('unnamed-probe')), `the name check misses an empty button: ${JSON.stringify(probe)}`);
    assert.deepEqual(await unnamedControls(p), [], `${name}: controls without an accessible name`);
    assert.deepEqual(await unstyledFields(p), [], `${name}: text fields without the app's style`);
    await assertContrast(p, name);
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
