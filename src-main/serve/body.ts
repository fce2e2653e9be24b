// Reading a request's JSON body: bounded in size, JSON only, an object at the top.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './status.ts';

export const DEFAULT_BODY_LIMIT = 1 << 20;

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError('TOO_LARGE', `the request body is over ${limit} bytes: send less`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError('TOO_LARGE', `the request body is over ${limit} bytes: send less`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  // Only JSON: a cross-site HTML form can send text/plain or form data without a preflight.
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'send the body as JSON with "Content-Type: application/json"');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpError('BAD_JSON', `the request body is not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError('BAD_JSON', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** The query string as an input object; a repeated key becomes a list. */
export function queryObject(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(search.keys())) {
    const all = search.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}
