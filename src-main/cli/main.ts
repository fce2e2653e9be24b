// The `cairn` command: restic's verbs and flags over Cairn's engine. This file wires the program;
// each command lives in commands/, and all the work happens in the engine.
import { Command, CommanderError, Help } from 'commander';
import { isCairnError, PROGRAM_VERSION } from '../../src-worker/index.ts';
import { Cli, type GlobalOptions } from './context.ts';
import { registerBackup } from './commands/backup.ts';
import { registerForget } from './commands/forget.ts';
import { registerCheck } from './commands/check.ts';
import { registerCopy } from './commands/copy.ts';
import { registerInit } from './commands/init.ts';
import { registerKey } from './commands/key.ts';
import { registerLs } from './commands/ls.ts';
import { registerRepair } from './commands/repair.ts';
import { registerPrune } from './commands/prune.ts';
import { registerRestore } from './commands/restore.ts';
import { registerSnapshots } from './commands/snapshots.ts';
import { registerTag } from './commands/tag.ts';
import { registerUnlock } from './commands/unlock.ts';
import { registerDiff } from './commands/diff.ts';
import { registerFind } from './commands/find.ts';
import { registerStats } from './commands/stats.ts';
import { registerCat } from './commands/cat.ts';
import { registerServe } from './commands/serve.ts';
import { registerMigrate } from './commands/migrate.ts';

const EXIT_FATAL = 1;
const EXIT_INTERRUPTED = 130;

export function buildProgram(getCli: () => Cli): Command {
  const program = new Command('cairn')
    .description('Cairn: encrypted, deduplicated backups in the restic repository format')
    .version(PROGRAM_VERSION, '-V, --version')
    .option('-r, --repo <repository>', 'repository to use (or CAIRN_REPOSITORY / RESTIC_REPOSITORY)')
    .option('-p, --password-file <file>', 'read the repository password from a file (or CAIRN_PASSWORD_FILE)')
    .option('--password-command <command>', 'shell command that prints the password (or CAIRN_PASSWORD_COMMAND)')
    .option('--key-hint <key>', 'key id to try first when opening the repository')
    .option('--compression <mode>', 'compression of new data: auto, off or max (or CAIRN_COMPRESSION)')
    .option('-o, --option <key=value>', 'backend option, e.g. sftp.key=FILE, sftp.accept-new=true (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--cache-dir <dir>', 'folder for the local metadata cache (or CAIRN_CACHE_DIR)')
    .option('--no-cache', 'do not use a local metadata cache')
    .option('--no-lock', 'do not lock the repository: restore, check, cat, diff, find and stats can read a read-only one (commands that change it still lock)')
    .option('--json', 'print machine-readable JSON')
    .option('-q, --quiet', 'do not print progress or informational messages')
    .option('-v, --verbose', 'print more (repeatable)', (_v: string, prev: number) => prev + 1, 0)
    .showHelpAfterError('(add --help to the command to see its usage)')
    // A repeatable option starts as an empty list; "(default: [])" in the help says nothing.
    .configureHelp({
      optionDescription: (option) => {
        const plain = Array.isArray(option.defaultValue) && option.defaultValue.length === 0;
        return plain ? option.description : new Help().optionDescription(option);
      },
    })
    .exitOverride();
  registerInit(program, getCli);
  registerBackup(program, getCli);
  registerForget(program, getCli);
  registerSnapshots(program, getCli);
  registerTag(program, getCli);
  registerLs(program, getCli);
  registerRestore(program, getCli);
  registerCheck(program, getCli);
  registerKey(program, getCli);
  registerUnlock(program, getCli);
  registerRepair(program, getCli);
  registerDiff(program, getCli);
  registerFind(program, getCli);
  registerStats(program, getCli);
  registerCat(program, getCli);
  registerCopy(program, getCli);
  registerPrune(program, getCli);
  registerServe(program, getCli);
  registerMigrate(program, getCli);
  program.command('version').description('print version information').action(() => {
    process.stdout.write(`${PROGRAM_VERSION} on node ${process.version} ${process.platform}/${process.arch}\n`);
  });
  return program;
}

export async function run(argv: string[]): Promise<number> {
  let cli: Cli | null = null;
  const program = buildProgram(() => (cli ??= new Cli(program.opts() as GlobalOptions)));
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    process.stderr.write('\nsignal received, cleaning up\n');
    cli?.abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `cairn ls latest | head`: when the reader goes away, stop quietly (and still release locks).
  let pipeClosed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    pipeClosed = true;
    cli?.abort.abort();
  });
  try {
    await program.parseAsync(argv);
    if (pipeClosed) return 0;
    // A server's normal way to stop is a signal: then it is a clean exit, not an interruption.
    if (interrupted && !(cli as Cli | null)?.stopsOnSignal) return EXIT_INTERRUPTED;
    return (process.exitCode as number | undefined) ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_FATAL;
    if (interrupted) return EXIT_INTERRUPTED;
    if (pipeClosed) return 0;
    const json = (cli as Cli | null)?.json ?? false;
    const message = isCairnError(err) ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
    if (json) process.stderr.write(JSON.stringify({ message_type: 'exit_error', code: EXIT_FATAL, message, error_code: isCairnError(err) ? err.code : 'INTERNAL' }) + '\n');
    else process.stderr.write(`Fatal: ${message}\n`);
    // CAIRN_DEBUG=1: the stack and the underlying cause, for bug reports (never shown otherwise).
    if (process.env.CAIRN_DEBUG) {
      process.stderr.write(`${(err as Error)?.stack}\n`);
      const cause = (err as { cause?: unknown })?.cause;
      if (cause) process.stderr.write(`caused by: ${(cause as Error)?.stack ?? String(cause)}\n`);
    }
    return EXIT_FATAL;
  } finally {
    await (cli as Cli | null)?.cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const code = await run(process.argv);
process.exitCode = code;
