// Lock files: who holds a shared or exclusive lock on the repository, refreshed while they work.
import { goJson } from './gojson.ts';
import { validate, z } from './schema.ts';

export interface Lock {
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  uid?: number;
  gid?: number;
}

const lockSchema = z.looseObject({
  time: z.string(),
  exclusive: z.boolean().optional().default(false),
  hostname: z.string().optional().default(''),
  username: z.string().optional().default(''),
  pid: z.number().int().optional().default(0),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
});

export function decodeLock(value: unknown, id: string): Lock {
  return validate(lockSchema, value, `lock ${id.slice(0, 8)}`);
}

export function encodeLock(l: Lock): string {
  return goJson({
    time: l.time, exclusive: l.exclusive, hostname: l.hostname, username: l.username, pid: l.pid,
    uid: l.uid || undefined, gid: l.gid || undefined,
  });
}
