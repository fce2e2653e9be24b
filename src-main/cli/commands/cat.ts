import type { Command } from 'commander';
import { cat, CAT_TYPES, goJson } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { indentJson } from '../gofmt.ts';

export function registerCat(program: Command, cli: () => Cli): void {
  program.command('cat')
    .description('print an internal repository object (config, index, snapshot, key, masterkey, lock, pack, blob, tree)')
    .argument('<type>', CAT_TYPES.join('|'))
    .argument('[id]', 'object id (a snapshot id may be a prefix; tree takes snapshot[:path])')
    .action(async (type: string, id: string | undefined) => {
      const c = cli();
      const repo = await c.openRepository();
      await (await c.lockForReading(repo)).confirmed;
      const r = await cat(repo, type, id);
      // restic prints JSON the same with or without --json: indented by json.MarshalIndent.
      if (r.kind === 'json') process.stdout.write(indentJson(goJson(r.value)) + '\n');
      else if (r.kind === 'text') process.stdout.write(r.text + '\n');
      else {
        if (r.warning) c.warn(r.warning);
        await new Promise<void>((resolve, reject) => process.stdout.write(r.data, (err) => (err ? reject(err) : resolve())));
      }
    });
}
