// Shared helpers for validating repository objects with zod: everything read from a backend is
// untrusted, and a failure becomes a CairnError that names the object.
import { z } from 'zod';
import { CairnError } from '../errors.ts';

export const hexId = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-digit hex id');
export const uint = z.number().int().nonnegative();
export const rfc3339 = z.string().min(1);

export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new CairnError('CORRUPT_OBJECT', `${what} is malformed${where}: ${issue?.message ?? 'invalid'}; the repository is damaged, run "cairn check"`);
}
