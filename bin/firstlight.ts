/**
 * The firstlight command line: `npx firstlight <command> [flags]` from an installed package (compiled to
 * dist/bin/firstlight.js), `npm run --silent firstlight -- <command> [flags]` in this repository.
 *   eval      evaluate every entity for users (JSONL in, JSONL out)
 *   cir       client initialize responses for users (JSONL in, JSONL out)
 *   generate  a realistic generated download_config_specs payload
 *   proxy     the forward proxy for a fleet of server SDKs
 *   bench     the benchmarks (bench/run.ts)
 *   types     a .d.ts typing flag names and parameters from the specs
 * Usage and input errors print one line on stderr and exit with code 2.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CliError } from './commands/common';

const USAGE = `Usage: firstlight <command> [flags]

Commands:
  eval      --specs FILE --users FILE.jsonl [--secret KEY] [--id-lists FILE.json] [--environment TIER]
  cir       --specs FILE --users FILE.jsonl [--hash djb2|sha256|none] [--client-key KEY] [--secret KEY]
            [--id-lists FILE.json] [--environment TIER]
  generate  --size small|large|larger|xlarge --seed N [--out FILE] [--id-lists-out FILE] [--users N --users-out FILE]
  proxy     [proxy flags]   (firstlight proxy --help)
  bench     [bench flags]   (the same as npm run bench)
  types     (--specs FILE | --source URL [--sdk-key KEY]) [--out FILE] [--check]

Run "firstlight <command> --help" for details.
`;

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  eval: async () => (await import('./commands/eval')).runEval,
  cir: async () => (await import('./commands/cir')).runCir,
  generate: async () => (await import('./commands/generate')).runGenerate,
  bench: async () => (await import('./commands/bench')).runBench,
  proxy: async () => (await import('./proxy')).runProxyCli,
  types: async () => (await import('./commands/types')).runTypes,
};

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`firstlight: unknown command "${name}" (expected one of: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  return (await load())(rest);
}

function fail(e: unknown): number {
  if (e instanceof CliError) {
    process.stderr.write(`firstlight ${e.message}\n`);
    return e.exitCode;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPIPE') return 0; // the reader went away (e.g. `| head`)
  process.stderr.write(`firstlight: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.FIRSTLIGHT_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  return 1;
}

/** Run as a program, not imported: npm links the bin through a symlink, so compare real paths. */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = fail(e);
    },
  );
}
