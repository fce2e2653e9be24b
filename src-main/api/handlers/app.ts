// What the set-up wizard asks of the host before anything is saved: where passwords would go,
// the exclude presets as they read on this computer, how big the chosen folders are, and whether
// a cron expression is valid (and when it would fire).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Cron } from 'croner';
import { createExcluder } from '../../../src-worker/index.ts';
import { cronProblem, ExcludePresetIds, presetPatterns, presetPlatform } from '../../profiles/index.ts';
import { expandHome } from '../../profiles/plan-options.ts';
import type { HandlerTable } from './types.ts';

/** The estimate answers within this time even for a whole disk; the UI says "at least". */
const ESTIMATE_BUDGET_MS = 3000;
const ESTIMATE_MAX_ENTRIES = 500_000;

export const appHandlers: HandlerTable<'app.info' | 'sources.estimate' | 'schedules.checkCron'> = {
  async 'app.info'(_input, ctx) {
    const platform = presetPlatform();
    return {
      platform,
      home: os.homedir(),
      secrets: ctx.secrets.describe(),
      excludePresets: ExcludePresetIds.map((id) => ({ id, patterns: presetPatterns([id], platform) })),
    };
  },

  async 'sources.estimate'(input) {
    const home = os.homedir();
    const patterns = [...(input.excludes ?? []), ...presetPatterns(input.excludePresets ?? [], presetPlatform())].map((p) => expandHome(p, home));
    const excluder = await createExcluder({ exclude: patterns });
    const deadline = Date.now() + ESTIMATE_BUDGET_MS;
    let files = 0;
    let bytes = 0;
    let entries = 0;
    let truncated = false;
    const problems: { path: string; message: string }[] = [];
    const toSnapshotPath = (p: string) => p.split(path.sep).join('/');

    // Depth-first with an explicit stack: no recursion limit, and the budget is checked per entry.
    const stack: string[] = [];
    for (const source of input.paths) {
      try {
        const st = await fs.lstat(source);
        if (st.isDirectory()) stack.push(source);
        else if (st.isFile()) { files++; bytes += st.size; }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        problems.push({ path: source, message: code === 'ENOENT' ? 'this folder does not exist' : code === 'EACCES' ? 'Cairn may not read this folder' : (err as Error).message });
      }
    }
    while (stack.length > 0) {
      if (Date.now() > deadline || entries > ESTIMATE_MAX_ENTRIES) { truncated = true; break; }
      const dir = stack.pop() as string;
      let names: import('node:fs').Dirent[];
      try {
        names = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        continue; // an unreadable subfolder is reported by the backup itself, with its path
      }
      for (const d of names) {
        entries++;
        const full = path.join(dir, d.name);
        const isDirectory = d.isDirectory();
        if (!isDirectory && !d.isFile()) continue;
        const size = isDirectory ? 0 : await fs.lstat(full).then((s) => s.size, () => 0);
        if (await excluder.isExcluded(toSnapshotPath(full), { isDirectory, size })) continue;
        if (isDirectory) stack.push(full);
        else { files++; bytes += size; }
      }
    }
    return { files, bytes, truncated, problems };
  },

  async 'schedules.checkCron'(input) {
    const problem = cronProblem(input.expression);
    if (problem) return { problem: `not a valid cron expression: ${problem}`, nextRuns: [] };
    return { problem: null, nextRuns: new Cron(input.expression).nextRuns(3).map((d) => d.getTime()) };
  },
};
