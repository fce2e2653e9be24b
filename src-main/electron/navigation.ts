// What the app's window may open or navigate to. The window never leaves the app's own origin;
// web links (http, https, mailto) open in the user's browser; anything else (file:, javascript:,
// custom schemes that launch other programs) is refused.
import { isAppUrl } from './origin.ts';

const EXTERNAL = new Set(['https:', 'http:', 'mailto:']);

/** A link the browser (not the app) may open, or null. */
export function externalUrl(url: string): string | null {
  try {
    const u = new URL(url);
    return EXTERNAL.has(u.protocol) ? u.toString() : null;
  } catch {
    return null;
  }
}

export type OpenDecision = { action: 'deny'; openExternally: string | null };

/** window.open / target=_blank: never a new app window; web links go to the browser. */
export function windowOpenDecision(url: string): OpenDecision {
  return { action: 'deny', openExternally: externalUrl(url) };
}

export type NavigateDecision = { allow: true } | { allow: false; openExternally: string | null };

/** A navigation of the app's window: within the app, fine; a web link, to the browser instead. */
export function navigateDecision(url: string): NavigateDecision {
  if (isAppUrl(url)) return { allow: true };
  return { allow: false, openExternally: externalUrl(url) };
}
