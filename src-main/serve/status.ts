// Every error's HTTP status, in one place. CairnError codes come from the engine and the
// application; HttpError covers what only HTTP has (no token, wrong Host, bad JSON, no route).
// WRONG_PASSWORD is 422, not 401: 401 means "your token is wrong" to a client, and a repository
// password the user mistyped must not look like a lost session.
import type { ErrorCode } from '../../src-worker/index.ts';

export const STATUS_OF: Record<ErrorCode, number> = {
  WRONG_PASSWORD: 422,
  NOT_A_REPOSITORY: 422,
  REPO_EXISTS: 409,
  UNSUPPORTED_VERSION: 422,
  REPO_LOCKED: 409,
  CORRUPT_OBJECT: 500,
  CORRUPT_PACK: 500,
  MISSING_OBJECT: 500,
  UNSAFE_PATH: 400,
  TARGET_EXISTS: 409,
  SOURCE_MISSING: 422,
  NO_SPACE: 507,
  PERMISSION_DENIED: 500,
  BACKEND_UNREACHABLE: 502,
  BACKEND_ERROR: 502,
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ABORTED: 409,
  INTERNAL: 500,
  CORRUPT_CONFIG: 500,
  IN_USE: 409,
  KEYRING_UNAVAILABLE: 503,
  PASSWORD_NEEDED: 423,
  UNSAFE_PERMISSIONS: 500,
};

export type HttpErrorCode =
  | 'UNAUTHORIZED' | 'FORBIDDEN_HOST' | 'FORBIDDEN_ORIGIN' | 'BAD_JSON' | 'TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'NO_ROUTE' | 'METHOD_NOT_ALLOWED';

const HTTP_STATUS: Record<HttpErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN_HOST: 403,
  FORBIDDEN_ORIGIN: 403,
  BAD_JSON: 400,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NO_ROUTE: 404,
  METHOD_NOT_ALLOWED: 405,
};

/** A refusal by the HTTP layer itself, before any operation runs. */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  readonly status: number;

  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.status = HTTP_STATUS[code];
  }
}
