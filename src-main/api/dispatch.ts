// The transport-independent entry point: validate the input against the operation's schema, run
// its handler, and parse the output against the output schema (so only declared fields leave).
// Failures are CairnErrors; each transport turns their codes into its own form (HTTP statuses in
// src-main/serve/status.ts).
import { z } from 'zod';
import { CairnError, isCairnError } from '../../src-worker/index.ts';
import { describeIssues } from '../profiles/schema.ts';
import { operations, isOpName, type ApiOutput, type OpName } from './contract.ts';
import type { ApiContext } from './context.ts';
import { handlers } from './handlers/index.ts';

export async function handle<K extends OpName>(name: K, input: unknown, ctx: ApiContext): Promise<ApiOutput<K>>;
export async function handle(name: string, input: unknown, ctx: ApiContext): Promise<unknown>;
export async function handle(name: string, input: unknown, ctx: ApiContext): Promise<unknown> {
  if (!isOpName(name)) throw new CairnError('NOT_FOUND', `there is no operation "${name}"`);
  const op = operations[name];
  const parsed = op.input.safeParse(input ?? {});
  if (!parsed.success) throw new CairnError('INVALID_ARGUMENT', `${name}: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  const handler = handlers[name] as (input: unknown, ctx: ApiContext) => Promise<unknown>;
  const result = await handler(parsed.data, ctx);
  const out = op.output.safeParse(result);
  if (!out.success) {
    // A handler broke the contract: a bug on our side, reported without the offending data.
    throw new CairnError('INTERNAL', `${name} produced a malformed answer (${describeIssues(out.error)}): please report this`, { cause: out.error });
  }
  return out.data;
}

/** A CairnError for anything thrown, so transports deal with one kind of error. */
export function toCairnError(err: unknown): CairnError {
  if (isCairnError(err)) return err;
  if (err instanceof z.ZodError) return new CairnError('INVALID_ARGUMENT', describeIssues(err), { cause: err });
  return new CairnError('INTERNAL', `unexpected error: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
