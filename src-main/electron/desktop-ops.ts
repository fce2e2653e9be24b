// Operations only the desktop app has (the browser host cannot drag files into the OS or select a
// file in the file manager; start at login is an API setting, settings.update). Called by name
// through the same IPC entry as the API contract, validated the same way: a schema for the input,
// a schema for the output. The renderer imports these types only.
import { z } from 'zod';
import { IdSchema, SnapshotPathSchema, SnapshotRefSchema } from '../api/schemas.ts';

export const desktopOperations = {
  /** Restores the file or folder into a temporary folder, then starts the OS drag with it. */
  'desktop.dragOut': {
    input: z.strictObject({ repositoryId: IdSchema, snapshotId: SnapshotRefSchema, path: SnapshotPathSchema }),
    output: z.object({ file: z.string() }),
  },
  /** Shows a path a restore of this session wrote, selected in the file manager (checked like restores.showInFolder). */
  'desktop.showInFolder': {
    input: z.strictObject({ jobId: z.string().min(1).max(100), path: z.string().min(1).max(4096) }),
    output: z.object({ shown: z.string() }),
  },
} as const;

export type DesktopOperations = typeof desktopOperations;
export type DesktopOpName = keyof DesktopOperations;
export type DesktopInput<K extends DesktopOpName> = z.input<DesktopOperations[K]['input']>;
export type DesktopOutput<K extends DesktopOpName> = z.output<DesktopOperations[K]['output']>;

export function isDesktopOp(name: string): name is DesktopOpName {
  return Object.hasOwn(desktopOperations, name);
}

/** The shell's implementations; the sender's own window is where a drag starts. */
export type DesktopHandlers = {
  [K in DesktopOpName]: (input: z.output<DesktopOperations[K]['input']>) => Promise<DesktopOutput<K>>;
};
