// s3:https://host/bucket/prefix (or s3:host/bucket/prefix, https assumed): a repository in an
// S3-compatible bucket (AWS, MinIO, Ceph, Wasabi, B2's S3 API, R2...), in restic's layout
// (prefix/config, prefix/keys/ID, prefix/data/ab/ID...). Credentials come from the AWS SDK's
// standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the shared files).
// Uploads are plain signed PUTs with a Content-Length: checksums only when the service requires
// them, because many S3-compatible servers reject the SDK's default aws-chunked uploads.
import fs from 'node:fs';
// The SDK is loaded on first use: importing it costs ~0.15 s of CPU, which every local command
// would otherwise pay at start.
import type { S3Client, S3ClientConfig, S3ServiceException } from '@aws-sdk/client-s3';
import { CairnError } from '../errors.ts';
import { isId } from '../format/id.ts';
import type { Backend, FileInfo, FileType, Range } from './backend.ts';
import { describeFile, StagingFolder } from './remote.ts';
import { TransientError } from './retry.ts';

export interface S3Location {
  endpoint: string;
  bucket: string;
  prefix: string;
}

export function parseS3Location(spec: string): S3Location {
  const withScheme = /^https?:\/\//.test(spec) ? spec : `https://${spec}`;
  let url: URL;
  try { url = new URL(withScheme); } catch { url = null as never; }
  const parts = url ? url.pathname.split('/').filter(Boolean) : [];
  if (!url || parts.length === 0) {
    throw new CairnError('INVALID_ARGUMENT', `"s3:${spec}" is not a valid S3 location: use s3:https://host/bucket/prefix or s3:http://127.0.0.1:9000/bucket/prefix`);
  }
  return { endpoint: `${url.protocol}//${url.host}`, bucket: parts[0]!, prefix: parts.slice(1).join('/') };
}

export class S3Backend implements Backend {
  readonly location: string;
  readonly isLocal = false;
  readonly connections: number;
  private readonly where: S3Location;
  private readonly clientConfig: S3ClientConfig;
  private sdk: Promise<{ s3: typeof import('@aws-sdk/client-s3'); client: S3Client }> | null = null;
  private readonly staging = new StagingFolder();

  constructor(spec: string, options: { region?: string; connections?: number; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}) {
    this.where = parseS3Location(spec);
    this.location = `s3:${this.where.endpoint}/${this.where.bucket}${this.where.prefix ? '/' + this.where.prefix : ''}`;
    this.connections = options.connections ?? 5;
    const isAws = /(^|\.)amazonaws\.com$/.test(new URL(this.where.endpoint).hostname);
    this.clientConfig = {
      endpoint: this.where.endpoint,
      region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: !isAws,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1, // RetryBackend retries, with the whole operation in view
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Sockets per endpoint: as many as transfers we run at once (the SDK's default is 50).
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: this.connections }, httpsAgent: { keepAlive: true, maxSockets: this.connections } },
    };
  }

  /** The SDK module and the one client, made on first use. */
  private api(): Promise<{ s3: typeof import('@aws-sdk/client-s3'); client: S3Client }> {
    this.sdk ??= import('@aws-sdk/client-s3').then((s3) => ({ s3, client: new s3.S3Client(this.clientConfig) }));
    return this.sdk;
  }

  private keyOf(type: FileType, name: string): string {
    const p = this.where.prefix ? this.where.prefix + '/' : '';
    if (type === 'config') return `${p}config`;
    if (type === 'data') return `${p}data/${name.slice(0, 2)}/${name}`;
    return `${p}${type}/${name}`;
  }

  private describe(type: FileType, name: string): string {
    return describeFile(this.location, type, name);
  }

  private error(err: unknown, what: string): CairnError {
    if (err instanceof CairnError) return err;
    const e = err as S3ServiceException & { code?: string; $metadata?: { httpStatusCode?: number } };
    const name = e.name ?? '';
    const status = e.$metadata?.httpStatusCode ?? 0;
    if (name === 'NoSuchBucket') return new CairnError('NOT_FOUND', `the bucket "${this.where.bucket}" does not exist at ${this.where.endpoint}: create it, or run "cairn init" to have it created`);
    if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return new CairnError('NOT_FOUND', `${what} does not exist`);
    if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied' || name === 'CredentialsProviderError' || status === 403 || status === 401) {
      return new CairnError('PERMISSION_DENIED', `S3 refused access to ${what} (${name || `HTTP ${status}`}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)`);
    }
    const code = e.code ?? (e as { cause?: { code?: string } }).cause?.code ?? '';
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new CairnError('BACKEND_UNREACHABLE', `cannot reach ${this.where.endpoint} for ${this.location}: ${code === 'ECONNREFUSED' ? 'connection refused (is the server running?)' : 'the host name cannot be resolved'}`);
    }
    if (status >= 500 || status === 429 || name === 'SlowDown' || name === 'RequestTimeout' || /ECONNRESET|EPIPE|ETIMEDOUT|socket hang up/i.test(`${code} ${e.message}`)) {
      return new TransientError('BACKEND_ERROR', `S3 failed on ${what}: ${name || e.message}${status ? ` (HTTP ${status})` : ''}`, { cause: err });
    }
    return new CairnError('BACKEND_ERROR', `S3 failed on ${what}: ${name || e.message}`, { cause: err });
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.error(err, what);
    }
  }

  async create(): Promise<void> {
    const bucket = this.where.bucket;
    try {
      const { s3, client } = await this.api();
      await client.send(new s3.HeadBucketCommand({ Bucket: bucket }));
    } catch (err) {
      const e = this.error(err, `the bucket ${bucket}`);
      if (!(e.code === 'NOT_FOUND')) throw e;
      const { s3, client } = await this.api();
      await this.call(`creating the bucket ${bucket}`, () => client.send(new s3.CreateBucketCommand({ Bucket: bucket })));
    }
    const exists = await this.stat('config', 'config').then(() => true, (err: CairnError) => {
      if (err.code === 'NOT_FOUND') return false;
      throw err;
    });
    if (exists) throw new CairnError('REPO_EXISTS', `a repository already exists at ${this.location}`);
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    const listPrefix = `${this.where.prefix ? this.where.prefix + '/' : ''}${type}/`;
    let token: string | undefined;
    do {
      const { s3, client } = await this.api();
      const page = await this.call(`listing ${type}`, () => client.send(new s3.ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: listPrefix, ContinuationToken: token })));
      for (const o of page.Contents ?? []) {
        const name = (o.Key ?? '').split('/').at(-1) ?? '';
        if (isId(name)) yield { name, size: o.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async stat(type: FileType, name: string): Promise<FileInfo> {
    const { s3, client } = await this.api();
    const res = await this.call(this.describe(type, name), () => client.send(new s3.HeadObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(type, name) })));
    return { name, size: res.ContentLength ?? 0 };
  }

  async load(type: FileType, name: string, range?: Range): Promise<Buffer> {
    if (range && range.length === 0) return Buffer.alloc(0);
    const { s3, client } = await this.api();
    return this.call(`reading ${this.describe(type, name)}`, async () => {
      const res = await client.send(new s3.GetObjectCommand({
        Bucket: this.where.bucket, Key: this.keyOf(type, name),
        Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined,
      }));
      const body = Buffer.from(await res.Body!.transformToByteArray());
      if (range && body.length !== range.length) throw new TransientError('BACKEND_ERROR', `${this.describe(type, name)}: got ${body.length} bytes of ${range.length}`);
      return body;
    });
  }

  async save(type: FileType, name: string, data: Uint8Array): Promise<void> {
    const { s3, client } = await this.api();
    await this.call(`saving ${this.describe(type, name)}`, () => client.send(new s3.PutObjectCommand({
      Bucket: this.where.bucket, Key: this.keyOf(type, name), Body: data, ContentLength: data.byteLength, ContentType: 'application/octet-stream',
    })));
  }

  async saveFile(type: FileType, name: string, file: string): Promise<void> {
    const size = fs.statSync(file).size;
    // Streamed from disk with its length known: one signed PUT, the pack never held in memory.
    const { s3, client } = await this.api();
    await this.call(`uploading ${this.describe(type, name)}`, () => client.send(new s3.PutObjectCommand({
      Bucket: this.where.bucket, Key: this.keyOf(type, name), Body: fs.createReadStream(file), ContentLength: size, ContentType: 'application/octet-stream',
    })));
    fs.rmSync(file, { force: true });
  }

  async remove(type: FileType, name: string): Promise<void> {
    const { s3, client } = await this.api();
    await this.call(`removing ${this.describe(type, name)}`, () => client.send(new s3.DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(type, name) })));
  }

  async stagingDir(): Promise<string> {
    return this.staging.get();
  }

  async close(): Promise<void> {
    if (this.sdk) (await this.sdk).client.destroy();
    this.staging.remove();
  }
}
