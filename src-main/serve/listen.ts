// Where the server listens. Loopback by default; any other address exposes the repositories'
// contents to whoever can reach it and guess nothing but the token, so it needs --allow-remote.
import net from 'node:net';
import { CairnError } from '../../src-worker/index.ts';

export interface ListenAddress {
  /** An IP address literal (hostnames are refused: what they resolve to can change). */
  host: string;
  /** 0: any free port. */
  port: number;
}

export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 0 };

export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const bad = () => new CairnError('INVALID_ARGUMENT', `--listen ${text}: use HOST:PORT with an IP address, such as 127.0.0.1:8123 or [::1]:8123 (port 0: any free one)`);
  if (!m) throw bad();
  let host = m[1] ?? m[2];
  if (host === 'localhost') host = '127.0.0.1';
  const port = Number(m[3]);
  if (!net.isIP(host) || port > 65535 || (m[1] !== undefined && net.isIP(host) !== 6)) throw bad();
  return { host, port };
}

export function isLoopback(host: string): boolean {
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** "127.0.0.1:8123" or "[::1]:8123": how a browser writes the address in the Host header. */
export function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
