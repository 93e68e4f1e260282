#!/usr/bin/env node
// Runs every test: typecheck, unit + integration (real Redis), production build, Playwright e2e
// (real Chromium), then the installable package in a fresh example app. Finds or provides Redis and Chromium first so a fresh machine needs nothing else.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TZ: 'UTC' };
const cleanups = [];

function log(msg) {
  process.stdout.write(`\n[firstlight test] ${msg}\n`);
}

function run(cmd, args) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    log(`FAILED: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    finish(r.status || 1);
  }
}

function finish(code) {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {}
  }
  process.exit(code);
}

function canConnect(host, port) {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.setTimeout(500);
    s.once('connect', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

async function ensureRedis() {
  if (env.REDIS_URL) return log(`Redis: REDIS_URL=${env.REDIS_URL}`);
  if (await canConnect('127.0.0.1', 6379)) {
    env.REDIS_URL = 'redis://127.0.0.1:6379';
    return log('Redis: using the server on 127.0.0.1:6379');
  }
  const bin = spawnSync('sh', ['-c', 'command -v redis-server']).stdout?.toString().trim();
  if (!bin) {
    log('Redis: none running and no redis-server binary. Install it: apt-get install -y redis-server (or set REDIS_URL).');
    finish(1);
  }
  const port = 16379 + Math.floor(Math.random() * 1000);
  const dir = mkdtempSync(join(tmpdir(), 'firstlight-redis-'));
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  cleanups.push(() => child.kill('SIGTERM'));
  for (let i = 0; i < 50 && !(await canConnect('127.0.0.1', port)); i++) await new Promise((r) => setTimeout(r, 100));
  env.REDIS_URL = `redis://127.0.0.1:${port}`;
  log(`Redis: started a private redis-server on ${env.REDIS_URL}`);
}

function playwrightCacheChromium() {
  const root = env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(root)) return null;
  for (const d of readdirSync(root).filter((n) => n.startsWith('chromium')).sort().reverse()) {
    for (const rel of ['chrome-linux/chrome', 'chrome-linux64/chrome', 'chrome-linux/headless_shell']) {
      const p = join(root, d, rel);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

function ensureChromium() {
  if (env.CHROMIUM_PATH && existsSync(env.CHROMIUM_PATH)) return log(`Chromium: CHROMIUM_PATH=${env.CHROMIUM_PATH}`);
  if (existsSync('/usr/bin/chromium')) {
    env.CHROMIUM_PATH = '/usr/bin/chromium';
    return log('Chromium: /usr/bin/chromium');
  }
  const cached = playwrightCacheChromium();
  if (cached) {
    env.CHROMIUM_PATH = cached;
    return log(`Chromium: Playwright cache ${cached}`);
  }
  if (process.getuid?.() === 0) {
    log('Chromium: not found; installing Debian chromium (apt-get install -y chromium)');
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', 'chromium']);
    env.CHROMIUM_PATH = '/usr/bin/chromium';
    return;
  }
  log('Chromium: not found. Run: sudo apt-get install -y chromium   (or set CHROMIUM_PATH)');
  finish(1);
}

process.on('SIGINT', () => finish(130));
process.on('SIGTERM', () => finish(143));

await ensureRedis();
ensureChromium();
run('npx', ['tsc', '--noEmit']);
// Node 20's --test does not expand globs: list the files ourselves.
const unitFiles = readdirSync('test', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => join('test', f));
run('node', ['--import', 'tsx', '--test', '--test-concurrency=1', ...unitFiles]);
run('npx', ['next', 'build']);
run('npx', ['playwright', 'test']);
// the built service under faults (flood, SIGTERM, read-only and full disks), each case bounded in time
run('node', ['--import', 'tsx', '--test', '--test-concurrency=1', 'test/faults/service.faults.ts']);
// the packed tarball in a copy of examples/next-app/ outside the repository (about a minute)
run('node', ['scripts/test-package.mjs']);
log('all suites passed');
finish(0);
