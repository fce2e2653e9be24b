// A repository's backend secrets as the engine takes them, read from the secret store. Its own
// module so the job runner can use it without loading the keyring's native library.
import type { BackendCredentials } from '../../src-worker/index.ts';
import { secretAccount, type SecretKind } from './accounts.ts';
import type { SecretStore } from './store.ts';

/** A repository's backend secrets (SFTP password or key passphrase, S3 secret key, REST password), as the engine takes them. */
export async function backendCredentials(store: SecretStore, repositoryId: string): Promise<BackendCredentials> {
  const get = (kind: SecretKind) => store.get(secretAccount(repositoryId, kind)).then((v) => v ?? undefined);
  const [sftpPassword, sftpKeyPassphrase, s3SecretAccessKey, restPassword] = await Promise.all([get('sftp-password'), get('sftp-key-passphrase'), get('s3-secret-key'), get('rest-password')]);
  return { sftpPassword, sftpKeyPassphrase, s3SecretAccessKey, restPassword };
}

