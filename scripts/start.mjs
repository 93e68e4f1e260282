#!/usr/bin/env node
// `npm start`: serve the Firstlight demo with the settings in .env (the embedded specs
// data/demo-dcs.json, events to var/events.jsonl; Next reads the file, the environment wins).
// Builds first when .next is missing or older than the sources.
// PORT (default 3000) and HOST (default 127.0.0.1) override where it listens.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const next = join(root, 'node_modules', '.bin', 'next');
const port = env.PORT?.trim() || '3000';
const host = env.HOST?.trim() || '127.0.0.1';
if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
  console.error(`[firstlight] PORT must be a port number (1-65535) (got ${JSON.stringify(port.slice(0, 32))})`);
  process.exit(1);
}
if (!/^[A-Za-z0-9.:%[\]-]{1,253}$/.test(host)) {
  console.error(`[firstlight] HOST must be a host name or an IP address (got ${JSON.stringify(host.slice(0, 64))})`);
  process.exit(1);
}

const SOURCES = ['app', 'server', 'lib', 'data', 'proxy.ts', 'next.config.mjs', 'package-lock.json', 'tsconfig.json'];
const SKIP = new Set(['node_modules', '.next', '.git']);

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) {
    if (SKIP.has(name)) continue;
    max = Math.max(max, newestMtime(join(path, name)));
  }
  return max;
}

function buildReason() {
  const buildId = join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return 'no production build yet';
  const built = statSync(buildId).mtimeMs;
  const changed = SOURCES.find((p) => newestMtime(join(root, p)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

if (!existsSync(next)) {
  console.error('[firstlight] node_modules is missing: run `npm ci` first.');
  process.exit(1);
}

const reason = buildReason();
if (reason) {
  console.log(`[firstlight] building (${reason}) …`);
  const r = spawnSync(next, ['build'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error('[firstlight] build failed');
    process.exit(r.status ?? 1);
  }
}

console.log(`[firstlight] demo: http://${host}:${port}/  (settings: .env)`);
const child = spawn(next, ['start', '-H', host, '-p', port], { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 0)));
