// The one IPC entry, minus Electron: an operation name and an input in, an envelope out. API
// operations go through the dispatcher (which validates input and output against the contract);
// desktop operations through their own schemas. Errors cross IPC as { code, message }: Electron
// would otherwise turn a thrown CairnError into a bare Error with its text mangled.
import { CairnError } from '../../src-worker/index.ts';
import { handle, toCairnError, type ApiContext, type ApiError } from '../api/index.ts';
import { describeIssues } from '../profiles/schema.ts';
import { desktopOperations, isDesktopOp, type DesktopHandlers } from './desktop-ops.ts';

export type InvokeResult = { ok: true; value: unknown } | { ok: false; error: ApiError };

export async function invoke(op: unknown, input: unknown, ctx: ApiContext, desktop: DesktopHandlers): Promise<InvokeResult> {
  try {
    if (typeof op !== 'string' || op.length > 100) throw new CairnError('INVALID_ARGUMENT', 'the operation name must be a short string');
    if (isDesktopOp(op)) return { ok: true, value: await runDesktop(op, input, desktop) };
    return { ok: true, value: await handle(op, input, ctx) };
  } catch (err) {
    const e = toCairnError(err);
    return { ok: false, error: { code: e.code, message: e.message } };
  }
}

async function runDesktop(op: keyof DesktopHandlers, input: unknown, desktop: DesktopHandlers): Promise<unknown> {
  const spec = desktopOperations[op];
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) throw new CairnError('INVALID_ARGUMENT', `${op}: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  const handler = desktop[op] as (input: unknown) => Promise<unknown>;
  const out = spec.output.safeParse(await handler(parsed.data));
  if (!out.success) throw new CairnError('INTERNAL', `${op} produced a malformed answer (${describeIssues(out.error)}): please report this`, { cause: out.error });
  return out.data;
}
