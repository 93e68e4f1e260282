/** `firstlight bench [-- args]`: runs bench/run.ts (the same as `npm run bench`), from a source checkout. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from './common';

export async function runBench(argv: readonly string[]): Promise<number> {
  const script = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
  // the installed package ships no benchmarks (nor tsx, which runs them)
  if (!existsSync(script)) throw new CliError('bench: the benchmarks run from a Firstlight source checkout (npm run bench)', 2);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...argv], { stdio: 'inherit', env: { ...process.env, TZ: 'UTC' } });
  return r.status ?? 1;
}
