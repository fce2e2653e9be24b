// The server's gates, each a small pure function so its rule is visible and tested:
// - the token: 32 random bytes per start; compared in constant time;
// - the Host header must name the address we listen on (DNS rebinding: a page on evil.example
//   whose name was re-pointed at 127.0.0.1 sends "Host: evil.example", and is refused);
// - writes from another origin are refused (a page elsewhere cannot drive the API, even if the
//   browser would attach the cookie, which SameSite=Strict already prevents).
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import os from 'node:os';
import { hostPort, isLoopback, isWildcard } from './listen.ts';

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * The cookie the browser UI authenticates with after its first load. Cookies ignore ports, so the
 * port is in its name: two servers on one machine do not overwrite each other's.
 */
export function cookieName(port: number): string {
  return `cairn_token_${port}`;
}

export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The token a request carries: "Authorization: Bearer <token>", or the UI's cookie. */
export function requestToken(headers: IncomingHttpHeaders, port: number): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(auth);
    return m ? m[1] : '';
  }
  return cookieValue(headers, cookieName(port));
}

/**
 * The Host header values that name this server. A wildcard listener is reached by any of the
 * machine's addresses, by IP only: names are what DNS rebinding controls, addresses are not.
 * "localhost" is accepted on loopback, since browsers resolve it only to this machine.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const hosts = new Set<string>();
  if (isWildcard(host)) {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) if (!a.address.includes('%')) hosts.add(hostPort(a.address, port));
    }
  } else {
    hosts.add(hostPort(host, port));
  }
  if (isLoopback(host) || isWildcard(host)) hosts.add(`localhost:${port}`);
  return hosts;
}

/**
 * Whether a state-changing request may come from where the browser says it does. Requests
 * without Origin (curl, the CLI, older browsers' same-origin requests) pass: they still need the
 * token, which another site's page cannot read.
 */
export function originAllowed(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  return origin === `http://${headers.host}`;
}
