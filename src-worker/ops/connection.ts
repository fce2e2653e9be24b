// "Can Cairn use this repository?" in one call, for a set-up wizard: is the storage reachable, are
// the credentials accepted, is there a repository (or does it need init), is the password right.
// Never throws for those outcomes; each is a field with a message a person can act on.
import fs from 'node:fs/promises';
import path from 'node:path';
import { openBackend, type BackendCredentials, type BackendOptions } from '../backend/location.ts';
import { isCairnError } from '../errors.ts';
import { Repository } from '../repository/repository.ts';

export interface ConnectionReport {
  reachable: boolean;
  authenticated: boolean;
  /** 'exists', 'missing' (run init), or 'unknown' when the storage could not be asked. */
  repository: 'exists' | 'missing' | 'unknown';
  /** Only when a password was given and a repository exists. */
  passwordAccepted?: boolean;
  /**
   * A local folder with no repository yet that holds other things: how many entries. init puts
   * the repository's folders beside them, which is rarely what was meant (a folder of documents
   * picked by mistake, say).
   */
  otherEntries?: number;
  /** What to tell the user; empty when everything is fine. */
  message: string;
}

export async function testConnection(location: string, password?: string, access: { options?: BackendOptions; credentials?: BackendCredentials } = {}): Promise<ConnectionReport> {
  let backend;
  try {
    backend = openBackend(location, access.options, access.credentials);
  } catch (err) {
    return { reachable: false, authenticated: false, repository: 'unknown', message: (err as Error).message };
  }
  try {
    try {
      await backend.stat('config', 'config');
    } catch (err) {
      if (isCairnError(err, 'NOT_FOUND')) {
        const report: ConnectionReport = { reachable: true, authenticated: true, repository: 'missing', message: `there is no repository at ${backend.location} yet: create one with init` };
        if (backend.localPath) {
          const entries = await fs.readdir(path.dirname(backend.localPath('config', 'config'))).catch(() => []);
          if (entries.length > 0) report.otherEntries = entries.length;
        }
        return report;
      }
      if (isCairnError(err, 'PERMISSION_DENIED')) return { reachable: true, authenticated: false, repository: 'unknown', message: (err as Error).message };
      return { reachable: false, authenticated: false, repository: 'unknown', message: (err as Error).message };
    }
    if (password === undefined) return { reachable: true, authenticated: true, repository: 'exists', message: '' };
    try {
      await Repository.open(backend, password);
      return { reachable: true, authenticated: true, repository: 'exists', passwordAccepted: true, message: '' };
    } catch (err) {
      if (isCairnError(err, 'WRONG_PASSWORD')) return { reachable: true, authenticated: true, repository: 'exists', passwordAccepted: false, message: (err as Error).message };
      throw err;
    }
  } finally {
    await backend.close().catch(() => {});
  }
}
