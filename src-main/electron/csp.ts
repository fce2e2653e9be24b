// The renderer's Content-Security-Policy, sent as a header with every response of the app's
// scheme. Stricter than the browser host's (src-main/serve/static.ts): no inline scripts, no eval,
// no network at all (the UI talks to the app through the preload's IPC, not fetch), no plugins,
// no framing, no form posts. Inline styles stay allowed: Svelte sets style attributes at run time.
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
].join('; ');

/** Headers for every response of the app's scheme. */
export function rendererHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': RENDERER_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}
