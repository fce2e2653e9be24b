// rclone:REMOTE:PATH — every storage rclone supports (B2, Azure, Google Cloud Storage, Drive,
// OneDrive, ...) through `rclone serve restic --stdio`, which speaks restic's REST protocol as
// HTTP/2 (without TLS) over its standard input and output, as restic uses it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type http2 from 'node:http2';
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import { CairnError } from '../errors.ts';
import { RestBackend, type RequestOptions, type Response } from './rest.ts';

// node:http2 is loaded when an rclone: repository is opened, not at start-up: it brings TLS and
// the network stack along (~13 MiB and ~0.07 s measured), which every other command would pay.
const requireBuiltin = createRequire(import.meta.url);

export class RcloneBackend extends RestBackend {
  private readonly child: ChildProcess;
  private readonly rcloneErrors: string[];
  private childClosed = false;
  /** The HTTP/2 session over rclone's stdio, made once the process has really started. */
  private readonly session: Promise<http2.ClientHttp2Session>;

  private constructor(child: ChildProcess, remote: string, errors: string[]) {
    super('http://rclone/', { displayName: `rclone:${remote}` });
    this.child = child;
    this.rcloneErrors = errors;
    this.session = new Promise((resolve, reject) => {
      child.once('error', (err) => reject(this.explain(err)));
      child.once('spawn', () => {
        const socket = Duplex.from({ readable: child.stdout!, writable: child.stdin! });
        socket.on('error', () => { /* reported by the requests */ });
        const session = (requireBuiltin('node:http2') as typeof http2).connect('http://rclone', { createConnection: () => socket });
        session.on('error', () => { /* each request reports it */ });
        // Once rclone is gone nothing may be written to the session again: Node's stream socket
        // under HTTP/2 asserts (and takes the process down) when a frame such as the GOAWAY of a
        // graceful close is written after the pipe's end was requested. So the session is torn
        // down without a goodbye as soon as rclone's output ends.
        child.stdout!.once('end', () => { if (!session.destroyed) session.destroy(); });
        resolve(session);
      });
    });
    child.once('close', () => { this.childClosed = true; });
    this.session.catch(() => { /* reported by the first request */ });
  }

  static open(remote: string, rcloneProgram = process.env.CAIRN_RCLONE_PROGRAM ?? 'rclone'): RcloneBackend {
    if (!remote) throw new CairnError('INVALID_ARGUMENT', 'rclone: needs a remote, as in rclone:myremote:backup/path');
    const child = spawn(rcloneProgram, ['serve', 'restic', '--stdio', '--b2-hard-delete', remote], { stdio: ['pipe', 'pipe', 'pipe'] });
    const errors: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (t: string) => {
      errors.push(t);
      if (errors.length > 20) errors.shift();
    });
    child.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      errors.push(code === 'ENOENT' ? `${rcloneProgram} is not installed (or not on the PATH): install rclone to use rclone: repositories` : err.message);
    });
    return new RcloneBackend(child, remote, errors);
  }

  protected override async request(method: string, url: URL, opts: RequestOptions = {}): Promise<Response> {
    const session = await this.session;
    return new Promise<Response>((resolve, reject) => {
      // rclone may exit (a bad remote, no access) without the HTTP/2 stream ever ending or
      // failing: without this, the request would never settle and the command would end with
      // nothing left to wait for (seen under load as exit code 13).
      // 'close' rather than 'exit': by then rclone's stderr has been read, so its reason is known.
      const onExit = () => fail(new Error('rclone exited'));
      const fail = (err: Error) => {
        this.child.off('close', onExit);
        reject(this.explain(err));
      };
      if (session.destroyed || session.closed || this.childClosed) return fail(new Error('the connection to rclone is closed'));
      this.child.once('close', onExit);
      const headers: http2.OutgoingHttpHeaders = { ':method': method, ':path': url.pathname + url.search };
      for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
      const stream = session.request(headers, { endStream: opts.body === undefined });
      let status = 0;
      let responseHeaders: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        responseHeaders = h;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // No answer at all: rclone gave up (bad remote, no access) and says why on stderr.
        if (status === 0) return fail(new Error('rclone closed the connection'));
        this.child.off('close', onExit);
        resolve({ status, headers: responseHeaders as never, body: Buffer.concat(chunks) });
      });
      stream.on('error', fail);
      if (typeof opts.body === 'string') {
        const file = fs.createReadStream(opts.body);
        file.on('error', (err) => stream.destroy(err));
        file.pipe(stream);
      } else if (opts.body !== undefined) {
        stream.end(opts.body);
      }
    });
  }

  /** rclone's own complaint (bad remote, not installed) says more than a closed stream. */
  private explain(err: Error): CairnError {
    const said = this.rcloneErrors.join('').trim().split('\n').filter(Boolean).at(-1);
    if (said) {
      return new CairnError('BACKEND_UNREACHABLE', `rclone failed for ${this.location}: ${said?.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\s*/, '') ?? err.message}`, { cause: err });
    }
    return this.networkError(err);
  }

  override async close(): Promise<void> {
    await super.close();
    const session = await this.session.catch(() => null);
    if (session && !session.destroyed) {
      if (this.childClosed) session.destroy();
      else await new Promise<void>((resolve) => session.close(() => resolve()));
    }
    this.child.stdin!.end();
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { this.child.kill(); resolve(); }, 2000);
        this.child.once('exit', () => { clearTimeout(timer); resolve(); });
      });
    }
  }
}
