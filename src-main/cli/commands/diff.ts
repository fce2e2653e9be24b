import type { Command } from 'commander';
import { diff, findSnapshot, goJson, shortId, type DiffStat } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { resticBytes } from '../gofmt.ts';

function statJson(s: DiffStat): Record<string, number> {
  return { files: s.files, dirs: s.dirs, others: s.others, data_blobs: s.dataBlobs, tree_blobs: s.treeBlobs, bytes: s.bytes };
}

const num = (n: number) => String(n).padStart(5);

export function registerDiff(program: Command, cli: () => Cli): void {
  program.command('diff')
    .description('show differences between two snapshots (+ added, - removed, M content, T type, U metadata)')
    .argument('<snapshot-a>', 'first snapshot id')
    .argument('<snapshot-b>', 'second snapshot id')
    .option('--metadata', 'also print changes in metadata only (U)')
    .action(async (refA: string, refB: string, opts: { metadata?: boolean }) => {
      const c = cli();
      const repo = await c.openRepository();
      await (await c.lockForReading(repo)).confirmed;
      const a = await findSnapshot(repo, refA);
      const b = await findSnapshot(repo, refB);
      if (!c.json) c.print(`comparing snapshot ${shortId(a.id)} to ${shortId(b.id)}:\n`);
      // Go's JSON encoder escapes <, > and & in paths; goJson keeps the lines identical to restic's.
      const quiet = c.globals.quiet === true;
      const result = await diff(repo, a, b, { metadata: opts.metadata, signal: c.signal }, (ch) => {
        if (quiet) return;
        if (c.json) process.stdout.write(goJson({ message_type: 'change', path: ch.path, modifier: ch.modifier }) + '\n');
        else c.output(ch.modifier.padEnd(5) + ch.path);
      });
      for (const u of result.unknownSizes) c.warn(`unable to find blob size for <${u.type}/${shortId(u.id)}>`);
      if (c.json) {
        // restic echoes the snapshot arguments as given, not the resolved ids.
        process.stdout.write(goJson({
          message_type: 'statistics', source_snapshot: refA, target_snapshot: refB, changed_files: result.changedFiles,
          added: statJson(result.added), removed: statJson(result.removed),
        }) + '\n');
        return;
      }
      const { added, removed } = result;
      c.output('');
      c.output(`Files:       ${num(added.files)} new, ${num(removed.files)} removed, ${num(result.changedFiles)} changed`);
      c.output(`Dirs:        ${num(added.dirs)} new, ${num(removed.dirs)} removed`);
      c.output(`Others:      ${num(added.others)} new, ${num(removed.others)} removed`);
      c.output(`Data Blobs:  ${num(added.dataBlobs)} new, ${num(removed.dataBlobs)} removed`);
      c.output(`Tree Blobs:  ${num(added.treeBlobs)} new, ${num(removed.treeBlobs)} removed`);
      c.output(`  Added:   ${resticBytes(added.bytes).padEnd(5)}`);
      c.output(`  Removed: ${resticBytes(removed.bytes).padEnd(5)}`);
    });
}
