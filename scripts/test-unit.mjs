#!/usr/bin/env node
// Unit + integration tests only (no build, no browser): `npm run test:unit [-- filter]`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
const filter = process.argv[2] ?? '';
const files = readdirSync('test', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts') && f.includes(filter))
  .sort()
  .map((f) => join('test', f));
// without files `node --test` would discover and run every test under the working directory
if (files.length === 0) {
  console.error(`no test/**/*.test.ts path contains "${filter}" (the substring is matched against paths under test/, e.g. next/config)`);
  process.exit(1);
}
const r = spawnSync('node', ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TZ: 'UTC', NEXT_TELEMETRY_DISABLED: '1' },
});
process.exit(r.status ?? 1);
