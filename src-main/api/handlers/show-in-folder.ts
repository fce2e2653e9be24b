// "Show in folder" in the browser host: checked against this session's restore jobs
// (restored-paths.ts), then the folder is opened on this machine: a restored folder itself, the
// folder holding a restored file.
import path from 'node:path';
import { restoredPath } from '../restored-paths.ts';
import type { HandlerTable } from './types.ts';

export const showInFolderHandlers: HandlerTable<'restores.showInFolder'> = {
  async 'restores.showInFolder'(input, ctx) {
    const found = await restoredPath(ctx.jobs(), input.jobId, input.path);
    const dir = found.isDirectory ? found.path : path.dirname(found.path);
    await ctx.openFolder(dir);
    return { opened: dir };
  },
};
