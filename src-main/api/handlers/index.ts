// Every operation's implementation, keyed by operation name. The type makes a missing or a
// misnamed handler a compile error.
import type { OpName } from '../contract.ts';
import { appHandlers } from './app.ts';
import { browseHandlers } from './browse.ts';
import { fileCompareHandlers } from './file-compare.ts';
import { folderHandlers } from './folders.ts';
import { healthHandlers } from './health.ts';
import { jobHandlers } from './jobs.ts';
import { keyHandlers } from './keys.ts';
import { profileHandlers } from './profiles.ts';
import { repositoryHandlers } from './repositories.ts';
import { retentionHandlers } from './retention.ts';
import { schedulerHandlers } from './scheduler.ts';
import { settingsHandlers } from './settings.ts';
import { showInFolderHandlers } from './show-in-folder.ts';
import { snapshotHandlers } from './snapshots.ts';
import type { HandlerTable } from './types.ts';

export const handlers: HandlerTable<OpName> = {
  ...appHandlers,
  ...folderHandlers,
  ...profileHandlers,
  ...repositoryHandlers,
  ...snapshotHandlers,
  ...browseHandlers,
  ...fileCompareHandlers,
  ...retentionHandlers,
  ...healthHandlers,
  ...jobHandlers,
  ...schedulerHandlers,
  ...keyHandlers,
  ...settingsHandlers,
  ...showInFolderHandlers,
};
