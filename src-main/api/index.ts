// The API: one contract (operations, schemas, events), one dispatcher, for every transport.
export { operations, isOpName, MAX_PAGE, type ApiEvent, type ApiError, type ApiInput, type ApiOutput, type ApiParsedInput, type OpName, type Operations, type Operation, type HttpMethod } from './contract.ts';
export { handle, toCairnError } from './dispatch.ts';
export { createApiContext, type ApiContext, type ApiDeps, type AutostartControl, type SchedulerControl } from './context.ts';
export { EventHub, type ApiEventListener } from './events.ts';
export { streamSnapshotFile, FileContentInputSchema, type FileContentSink } from './file-content.ts';
export { restoredPath, landingPath } from './restored-paths.ts';
export { streamSnapshotFolder, FolderContentInputSchema, type FolderContentSink, type FolderItem } from './folder-content.ts';
