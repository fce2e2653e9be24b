// Turns whatever a job threw into what people see: one line, secrets removed, the engine's error
// code kept so the UI can say what to do next.
import { isCairnError, type ErrorCode } from '../../src-worker/index.ts';
import { redact } from '../secrets/redact.ts';

const MAX_MESSAGE = 500;

export interface Failure {
  message: string;
  code: ErrorCode;
}

/** One line for people: first line only, redacted, bounded (a library may throw a whole page). */
export function oneLine(text: string, secrets: readonly string[]): string {
  const first = redact(text, secrets).split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  return first.length > MAX_MESSAGE ? `${first.slice(0, MAX_MESSAGE - 1)}…` : first;
}

export function describeFailure(err: unknown, secrets: readonly string[]): Failure {
  if (isCairnError(err)) return { message: oneLine(err.message, secrets) || err.code, code: err.code };
  const text = err instanceof Error ? err.message : String(err);
  // Not an engine error: a bug or an unexpected system error. Say so, and what to do.
  return { message: `unexpected error: ${oneLine(text, secrets) || 'no details'}; see the job's log and report it if it repeats`, code: 'INTERNAL' };
}
