// Where a repository password comes from, in restic's order of precedence, with CAIRN_* names
// first and RESTIC_* as fallbacks. Never from argv: a password on the command line is visible to
// every user of the machine.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { CairnError } from '../../src-worker/index.ts';
import { promptHidden } from './prompt.ts';

export interface PasswordSources {
  passwordFile?: string;
  passwordCommand?: string;
}

const env = (...names: string[]) => names.map((n) => process.env[n]).find((v) => v !== undefined && v !== '');

async function fromFile(file: string): Promise<string> {
  try {
    // restic strips one trailing newline (and CR) from the file.
    return (await fs.readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new CairnError('INVALID_ARGUMENT', `cannot read the password file ${file}: ${why}; check the path given with --password-file or CAIRN_PASSWORD_FILE`, { cause: err });
  }
}

async function fromCommand(command: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('/bin/sh', ['-c', command], { maxBuffer: 1 << 20 });
    return stdout.replace(/\r?\n$/, '');
  } catch (err) {
    throw new CairnError('INVALID_ARGUMENT', `the password command failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

/**
 * Where one repository's password may come from: the environment variables (CAIRN_* first, then
 * restic's names) and the flags to name in messages. The source repository of `copy` and
 * `init --copy-chunker-params` has its own set (CAIRN_FROM_PASSWORD, --from-password-file, ...).
 */
export interface PasswordNames {
  password: string[];
  file: string[];
  command: string[];
  fileFlag: string;
  commandFlag: string;
}

export const REPOSITORY_PASSWORD: PasswordNames = {
  password: ['CAIRN_PASSWORD', 'RESTIC_PASSWORD'],
  file: ['CAIRN_PASSWORD_FILE', 'RESTIC_PASSWORD_FILE'],
  command: ['CAIRN_PASSWORD_COMMAND', 'RESTIC_PASSWORD_COMMAND'],
  fileFlag: '--password-file',
  commandFlag: '--password-command',
};

export const SOURCE_PASSWORD: PasswordNames = {
  password: ['CAIRN_FROM_PASSWORD', 'RESTIC_FROM_PASSWORD'],
  file: ['CAIRN_FROM_PASSWORD_FILE', 'RESTIC_FROM_PASSWORD_FILE'],
  command: ['CAIRN_FROM_PASSWORD_COMMAND', 'RESTIC_FROM_PASSWORD_COMMAND'],
  fileFlag: '--from-password-file',
  commandFlag: '--from-password-command',
};

/** The password of an existing repository, or null when none is configured (then prompt). */
export async function configuredPassword(src: PasswordSources, names: PasswordNames = REPOSITORY_PASSWORD): Promise<string | null> {
  if (src.passwordFile && src.passwordCommand) {
    throw new CairnError('INVALID_ARGUMENT', `${names.fileFlag} and ${names.commandFlag} cannot be used together: give only one`);
  }
  if (src.passwordFile) return fromFile(src.passwordFile);
  if (src.passwordCommand) return fromCommand(src.passwordCommand);
  const direct = env(...names.password);
  if (direct !== undefined) return direct;
  const file = env(...names.file);
  if (file) return fromFile(file);
  const command = env(...names.command);
  if (command) return fromCommand(command);
  return null;
}

/** Set when stdin carries something else (backup --files-from -): no password is read from it. */
let stdinTakenBy: string | null = null;
export function reserveStdin(forWhat: string): void {
  stdinTakenBy = forWhat;
}

/** Reads stdin up to its first newline (or its end) and returns that line. */
async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if ((chunk as Buffer).includes(0x0a)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/**
 * The first line of stdin when it is not a terminal, as restic reads a password piped to it
 * (`echo pw | cairn snapshots`); null when it is a terminal. Reading stops at the first newline,
 * so a pipe that stays open does not hold the command up once that line has come.
 */
async function passwordFromStdin(missing: string, names: PasswordNames): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  const hint = `set ${names.password[0]} or ${names.file[0]}, use ${names.fileFlag} or ${names.commandFlag}, or run in a terminal to be asked`;
  if (stdinTakenBy) throw new CairnError('INVALID_ARGUMENT', `${missing}, and stdin is read for ${stdinTakenBy}: ${hint}`);
  const line = await firstLineOfStdin();
  if (line === '') throw new CairnError('INVALID_ARGUMENT', `${missing} (stdin is not a terminal and its first line is empty): ${hint}`);
  return line;
}

export async function readPassword(src: PasswordSources, prompt = 'enter password for repository: ', names: PasswordNames = REPOSITORY_PASSWORD): Promise<string> {
  const password = (await configuredPassword(src, names))
    ?? (await passwordFromStdin(names === REPOSITORY_PASSWORD ? 'no password given' : 'no password given for the source repository', names))
    ?? (await promptHidden(prompt));
  // No repository has one (init refuses it, as restic's does): say so rather than "wrong password".
  if (password === '') throw new CairnError('INVALID_ARGUMENT', `the password given is empty, and no repository has an empty password: check ${names.password[0]}, ${names.file[0]}, ${names.fileFlag} or ${names.commandFlag}`);
  return password;
}

/** A new password (init): from the configured source, the first line of stdin, or asked twice. */
export async function readNewPassword(src: PasswordSources, what: string): Promise<string> {
  const configured = await configuredPassword(src);
  if (configured !== null) return configured;
  const piped = await passwordFromStdin(`no ${what} given`, REPOSITORY_PASSWORD);
  if (piped !== null) return piped;
  const first = await promptHidden(`enter ${what}: `);
  const second = await promptHidden(`enter ${what} again: `);
  if (first !== second) throw new CairnError('INVALID_ARGUMENT', 'the passwords do not match');
  return first;
}

/**
 * A new password for `key add` / `key passwd`: never from the repository's own password sources
 * (those name the current password). Asked twice on a terminal; otherwise the first line of
 * stdin, as restic reads it.
 */
export async function askNewPassword(what: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const line = await firstLineOfStdin();
    if (line === '') throw new CairnError('INVALID_ARGUMENT', `no ${what} given: use --new-password-file, pipe it on stdin, or run in a terminal to be asked`);
    return line;
  }
  const first = await promptHidden(`enter ${what}: `);
  const second = await promptHidden(`enter ${what} again: `);
  if (first !== second) throw new CairnError('INVALID_ARGUMENT', 'the passwords do not match');
  if (first === '') throw new CairnError('INVALID_ARGUMENT', `an empty ${what} is not allowed`);
  return first;
}
