// One error family for the whole engine. `code` is stable (the CLI, the API and the UI switch on
// it); `message` is written for people and says what to do next; `cause` keeps the original error.

export const ErrorCodes = [
  'WRONG_PASSWORD',
  'NOT_A_REPOSITORY',
  'REPO_EXISTS',
  'UNSUPPORTED_VERSION',
  'REPO_LOCKED',
  'CORRUPT_OBJECT',
  'CORRUPT_PACK',
  'MISSING_OBJECT',
  'UNSAFE_PATH',
  'TARGET_EXISTS',
  'SOURCE_MISSING',
  'NO_SPACE',
  'PERMISSION_DENIED',
  'BACKEND_UNREACHABLE',
  'BACKEND_ERROR',
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ABORTED',
  'INTERNAL',
  // The application's own (src-main): profiles, secrets, plans.
  'CORRUPT_CONFIG',
  'IN_USE',
  'KEYRING_UNAVAILABLE',
  /** A repository whose password was not saved and is not known since Cairn started. */
  'PASSWORD_NEEDED',
  'UNSAFE_PERMISSIONS',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export class CairnError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CairnError';
    this.code = code;
  }
}

export function isCairnError(err: unknown, code?: ErrorCode): err is CairnError {
  return err instanceof CairnError && (code === undefined || err.code === code);
}

/** Maps a Node system error from the file system to a CairnError that names `what`. */
export function fromSystemError(err: unknown, what: string): CairnError {
  if (err instanceof CairnError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new CairnError('NO_SPACE', `no space left on the device holding ${what}: free some space and run the command again`, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new CairnError('PERMISSION_DENIED', `permission denied for ${what}: check its owner and permissions`, { cause: err });
    case 'ENOENT':
      return new CairnError('NOT_FOUND', `${what} does not exist`, { cause: err });
    case 'ENOTDIR':
      return new CairnError('NOT_FOUND', `${what} does not exist (a part of its path is a file, not a folder)`, { cause: err });
    default:
      return new CairnError('BACKEND_ERROR', `${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

export function abortError(signal?: AbortSignal): CairnError {
  const reason = signal?.reason;
  return new CairnError('ABORTED', 'the operation was cancelled', { cause: reason });
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}
