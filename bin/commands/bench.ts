/** `firstlight bench [-- args]`: runs bench/run.ts (the same as `npm run bench`). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export async function runBench(argv: readonly string[]): Promise<number> {
  const script = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...argv], { stdio: 'inherit', env: { ...process.env, TZ: 'UTC' } });
  return r.status ?? 1;
}
