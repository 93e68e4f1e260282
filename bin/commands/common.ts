/**
 * Shared pieces of the CLI commands: argument parsing with node:util parseArgs, input files
 * (specs JSON, users JSONL, ID lists JSON) and usage errors. A usage or input problem is a
 * CliError: the entry point prints its message (never a stack trace) and exits with code 2.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseSpecs, SpecKeyMismatchError, SpecParseError, type Specs } from '../../lib/index';

export class CliError extends Error {
  override name = 'CliError';
  readonly code = 'FL_ERR_CLI';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs, with its errors turned into CliErrors that name the flag. */
export function parseFlags<T extends Options>(command: string, argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new CliError(`${command}: ${msg}`);
  }
}

export function requireFlag(command: string, values: Record<string, unknown>, flag: string): string {
  const v = values[flag];
  if (typeof v !== 'string' || v === '') throw new CliError(`${command}: missing required flag --${flag}`);
  return v;
}

export function oneOf<T extends string>(command: string, flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliError(`${command}: --${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

function readText(command: string, flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new CliError(`${command}: cannot read --${flag} ${file}: ${why}`);
  }
}

function parseJson(command: string, flag: string, file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${command}: --${flag} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** `{"<listName>": ["<raw id>", ...]}` */
export function readIdLists(command: string, file: string | undefined): Record<string, string[]> | undefined {
  if (file === undefined) return undefined;
  const json = parseJson(command, 'id-lists', file, readText(command, 'id-lists', file));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CliError(`${command}: --id-lists ${file} must be a JSON object {"<listName>": ["<raw id>", ...]}`);
  }
  const out: Record<string, string[]> = {};
  for (const [name, ids] of Object.entries(json)) {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw new CliError(`${command}: --id-lists ${file}: list "${name}" must be an array of strings`);
    }
    out[name] = ids as string[];
  }
  return out;
}

export function readSpecs(command: string, file: string, opts: { secret?: string; idLists?: Record<string, string[]> }): Specs {
  const text = readText(command, 'specs', file);
  // parse here first so that a JSON syntax error names the file and position
  const json = parseJson(command, 'specs', file, text);
  try {
    return parseSpecs(json, { serverSecret: opts.secret, idLists: opts.idLists });
  } catch (e) {
    if (e instanceof SpecKeyMismatchError) {
      throw new CliError(`${command}: --specs ${file} was not issued for this server secret (hashed_sdk_key_used does not match djb2(--secret))`);
    }
    if (e instanceof SpecParseError) throw new CliError(`${command}: --specs ${file} is not a valid download_config_specs payload: ${e.message}`);
    throw e;
  }
}

/** Users, one JSON object per line (blank lines skipped), streamed in input order. */
export async function* readUsers(command: string, file: string): AsyncGenerator<Record<string, unknown>> {
  // open eagerly so a missing file is reported before anything is printed
  readText(command, 'users', file).length;
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    const text = raw.trim();
    if (text === '') continue;
    let user: unknown;
    try {
      user = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${command}: --users ${file} line ${line}: invalid JSON: ${(e as Error).message}`);
    }
    if (typeof user !== 'object' || user === null || Array.isArray(user)) {
      throw new CliError(`${command}: --users ${file} line ${line}: a user must be a JSON object`);
    }
    yield user as Record<string, unknown>;
  }
}

/** Writes a line to stdout, waiting when the pipe is full. */
export async function writeLine(text: string): Promise<void> {
  if (!process.stdout.write(`${text}\n`)) {
    await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
  }
}
