// restic's REST protocol (version 2): the repository's files over HTTP, as served by rest-server
// and by `rclone serve restic`. GET/HEAD/POST/DELETE on /{type}/{name}, /config, listings as JSON
// ({name, size}) at /{type}/, a new repository by POST /?create=true. The server writes each file
// atomically, so a broken upload never appears under its final name.
import fs from 'node:fs';
import type http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';
import { CairnError } from '../errors.ts';
import { isId } from '../format/id.ts';
import type { Backend, FileInfo, FileType, Range } from './backend.ts';
import { describeFile, StagingFolder } from './remote.ts';
import { TransientError } from './retry.ts';

// node:http is loaded with require, and only when a REST repository is opened: importing it as an
// ES module evaluates all its exports, which loads Node's whole fetch implementation (undici),
// about 50-200 ms of start-up that every command (even a local backup) would pay.
const requireBuiltin = createRequire(import.meta.url);

const LIST_V2 = 'application/vnd.x.restic.rest.v2';
/** restic's default for rest.connections. */
const DEFAULT_CONNECTIONS = 5;

export interface RestOptions {
  /** Custom transport (rclone's stdio); default: a keep-alive agent for the URL's protocol. */
  agent?: http.Agent;
  /** Simultaneous requests (default 5, as restic). */
  connections?: number;
  /** How the repository is named in messages (default: the URL without its password). */
  displayName?: string;
  /**
   * The HTTP password, handed over in memory (from the keyring) so it need not be written into
   * the URL, where it would end up in a profile file. A password in the URL itself wins.
   */
  password?: string;
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  headers?: Record<string, string | number>;
  /** Bytes to send, or the path of a file to stream. */
  body?: Buffer | string;
}

/** The URL as it may be shown: user name kept, password replaced. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

export class RestBackend implements Backend {
  readonly location: string;
  readonly isLocal = false;
  readonly connections: number;
  private readonly base: URL;
  private readonly authorization: string | undefined;
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private readonly staging = new StagingFolder();

  constructor(url: string, options: RestOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url.endsWith('/') ? url : url + '/');
    } catch {
      throw new CairnError('INVALID_ARGUMENT', `"${url}" is not a valid REST server URL: use rest:http://host:8000/ or rest:https://user:password@host/path/`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new CairnError('INVALID_ARGUMENT', `REST server URL ${redactUrl(parsed)} must start with http:// or https://`);
    }
    this.location = options.displayName ?? `rest:${redactUrl(parsed)}`;
    if (parsed.username || parsed.password || options.password) {
      const password = parsed.password ? decodeURIComponent(parsed.password) : options.password ?? '';
      this.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(parsed.username)}:${password}`).toString('base64');
      parsed.username = '';
      parsed.password = '';
    }
    this.base = parsed;
    this.client = parsed.protocol === 'https:' ? requireBuiltin('node:https') as typeof https : requireBuiltin('node:http') as typeof http;
    this.connections = options.connections ?? DEFAULT_CONNECTIONS;
    this.agent = options.agent ?? new this.client.Agent({ keepAlive: true, maxSockets: this.connections });
  }

  private urlOf(type: FileType | null, name?: string): URL {
    if (type === 'config') return new URL('config', this.base);
    if (type === null) return this.base;
    return new URL(name === undefined ? `${type}/` : `${type}/${name}`, this.base);
  }

  private describe(type: FileType, name: string): string {
    return describeFile(this.location, type, name);
  }

  /** One HTTP exchange; the whole response body is read. Network failures are transient. */
  protected request(method: string, url: URL, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (this.authorization) headers.authorization = this.authorization;
    return new Promise((resolve, reject) => {
      const req = this.client.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (err) => reject(this.networkError(err)));
      });
      req.setTimeout(120_000, () => req.destroy(Object.assign(new Error('no answer for 120 s'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => reject(this.networkError(err)));
      if (opts.body === undefined) {
        req.end();
      } else if (typeof opts.body === 'string') {
        // A file to stream (pack uploads): the body is read from disk, not held in memory.
        const stream = fs.createReadStream(opts.body);
        stream.on('error', (err) => req.destroy(err));
        stream.pipe(req);
      } else {
        req.end(opts.body);
      }
    });
  }

  protected networkError(err: Error): CairnError {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const reason = code === 'ECONNREFUSED' ? 'connection refused (is the server running?)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name cannot be resolved'
      : code === 'ETIMEDOUT' ? 'the connection timed out'
      : code === 'ECONNRESET' || code === 'EPIPE' ? 'the connection was dropped'
      : err.message;
    const message = `cannot reach the REST server of ${this.location}: ${reason}`;
    // No server at all (or no such host) fails at once: waiting and retrying would only delay
    // the answer. A connection that broke after it was made is worth retrying.
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new CairnError('BACKEND_UNREACHABLE', message, { cause: err });
    return new TransientError('BACKEND_ERROR', message, { cause: err });
  }

  /** Turns a non-success status into a named error. */
  private statusError(res: Response, what: string): CairnError {
    const s = res.status;
    if (s === 404) return new CairnError('NOT_FOUND', `${what} does not exist`);
    if (s === 401 || s === 403) return new CairnError('PERMISSION_DENIED', `the REST server refused access to ${what} (HTTP ${s}): check the user name and password`);
    const detail = res.body.toString('utf8').trim().split('\n')[0]?.slice(0, 200) ?? '';
    const message = `the REST server failed on ${what} (HTTP ${s}${detail ? `: ${detail}` : ''})`;
    if (s >= 500 || s === 429 || s === 408) return new TransientError('BACKEND_ERROR', message);
    return new CairnError('BACKEND_ERROR', message);
  }

  async create(): Promise<void> {
    const head = await this.request('HEAD', this.urlOf('config'));
    if (head.status === 200) throw new CairnError('REPO_EXISTS', `a repository already exists at ${this.location}`);
    if (head.status !== 404) throw this.statusError(head, `the config of ${this.location}`);
    const res = await this.request('POST', new URL('?create=true', this.base));
    if (res.status !== 200) throw this.statusError(res, `creating the repository at ${this.location}`);
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    const res = await this.request('GET', this.urlOf(type), { headers: { accept: LIST_V2 } });
    if (res.status === 404) return; // a folder that does not exist yet is empty
    if (res.status !== 200) throw this.statusError(res, `the ${type} listing of ${this.location}`);
    let entries: unknown;
    try {
      entries = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new CairnError('BACKEND_ERROR', `the REST server sent an unreadable ${type} listing for ${this.location}`);
    }
    if (!Array.isArray(entries)) throw new CairnError('BACKEND_ERROR', `the REST server sent an unreadable ${type} listing for ${this.location}`);
    for (const e of entries as unknown[]) {
      // Version 2 lists {name, size}; version 1 only names (then the size is asked for).
      if (typeof e === 'string') {
        if (isId(e)) yield await this.stat(type, e);
      } else if (e && typeof e === 'object' && typeof (e as FileInfo).name === 'string' && isId((e as FileInfo).name)) {
        yield { name: (e as FileInfo).name, size: Number((e as FileInfo).size) || 0 };
      }
    }
  }

  async stat(type: FileType, name: string): Promise<FileInfo> {
    const res = await this.request('HEAD', this.urlOf(type, name));
    if (res.status !== 200) throw this.statusError(res, this.describe(type, name));
    return { name, size: Number(res.headers['content-length'] ?? 0) };
  }

  async load(type: FileType, name: string, range?: Range): Promise<Buffer> {
    const headers: Record<string, string> = {};
    if (range) headers.range = `bytes=${range.offset}-${range.offset + range.length - 1}`;
    const res = await this.request('GET', this.urlOf(type, name), { headers });
    if (res.status !== 200 && res.status !== 206) throw this.statusError(res, this.describe(type, name));
    if (range && res.status === 200) return res.body.subarray(range.offset, range.offset + range.length); // server ignored Range
    if (range && res.body.length !== range.length) {
      throw new TransientError('BACKEND_ERROR', `${this.describe(type, name)}: the REST server sent ${res.body.length} bytes, expected ${range.length}`);
    }
    return res.body;
  }

  async save(type: FileType, name: string, data: Uint8Array): Promise<void> {
    const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const res = await this.request('POST', this.urlOf(type, name), { headers: { 'content-type': 'application/octet-stream', 'content-length': body.length }, body });
    if (res.status !== 200) throw this.statusError(res, `saving ${this.describe(type, name)}`);
  }

  async saveFile(type: FileType, name: string, file: string): Promise<void> {
    const size = fs.statSync(file).size;
    const res = await this.request('POST', this.urlOf(type, name), { headers: { 'content-type': 'application/octet-stream', 'content-length': size }, body: file });
    if (res.status !== 200) throw this.statusError(res, `saving ${this.describe(type, name)}`);
    fs.rmSync(file, { force: true });
  }

  async remove(type: FileType, name: string): Promise<void> {
    const res = await this.request('DELETE', this.urlOf(type, name));
    if (res.status !== 200 && res.status !== 404) throw this.statusError(res, `removing ${this.describe(type, name)}`);
  }

  async stagingDir(): Promise<string> {
    return this.staging.get();
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.staging.remove();
  }
}
