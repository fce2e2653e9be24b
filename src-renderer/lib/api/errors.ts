// Errors as the UI shows them: the API's one-line message, and a next step a person can take.
// The engine's messages already say what happened; the hints say what to do in this app
// (a CLI message may say "run init", the app has a button for that instead).
import type { ApiError } from '../../../src-main/api/contract.ts';

export class ApiCallError extends Error implements ApiError {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'ApiCallError';
  }
}

const NEXT_STEP: Record<string, string> = {
  WRONG_PASSWORD: 'Type the password again. If it was saved before, update it in the repository\'s settings.',
  BACKEND_UNREACHABLE: 'Check that the storage is switched on and reachable from this computer (network, VPN, drive plugged in), then try again.',
  BACKEND_ERROR: 'The storage answered with an error. Try again in a moment; if it persists, check the storage\'s own status page or logs.',
  PERMISSION_DENIED: 'Give your user permission to that folder or storage, or choose another place.',
  NO_SPACE: 'Free some space on the storage, or choose a bigger one, then try again.',
  REPO_LOCKED: 'Another backup program is using this repository. Wait for it to finish and try again.',
  REPO_EXISTS: 'There is already a repository there: open it with its password instead of creating one.',
  NOT_A_REPOSITORY: 'That place holds something other than a backup repository. Choose an empty folder or the repository\'s own folder.',
  KEYRING_UNAVAILABLE: 'Unlock or install the system keyring, or start Cairn with --allow-password-file, then try again.',
  PASSWORD_NEEDED: 'Type the repository\'s password where Cairn asks for it (on the dashboard, or in Settings → Repository); tick "Remember it" to have scheduled backups run without asking.',
  SOURCE_MISSING: 'One of the folders to back up is gone. Plug in its drive or remove it from the plan.',
  IN_USE: 'That is still in use by something else. Stop it first, then try again.',
  DISCONNECTED: 'Start Cairn again (cairn serve) and reload this page.',
  UNAUTHORIZED: 'Open the address cairn serve printed when it started (it carries a new key each time).',
};

/** What to do about an error with this code, or null when its message says all there is. */
export function nextStep(code: string): string | null {
  return NEXT_STEP[code] ?? null;
}

/** Any thrown value as an ApiCallError, so the UI never shows a stack trace. */
export function asApiError(err: unknown): ApiCallError {
  if (err instanceof ApiCallError) return err;
  return new ApiCallError('INTERNAL', err instanceof Error ? err.message : String(err));
}
