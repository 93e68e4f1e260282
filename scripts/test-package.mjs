#!/usr/bin/env node
// The package as a user gets it: `npm pack`, a copy of examples/next-app/ outside the repository with
// the tarball installed from the file (no links, every other package from the npm registry at the
// versions of the example's lockfile), `next build`, `next start`, then checks over HTTP and in
// Chromium. Also the bad inputs a user meets first: missing specs (fail-open off and on), a server
// secret as the client key, an entry point that does not exist. Prints the package's figures.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';

const repo = resolve('.');
const port = Number(process.env.EXAMPLE_PORT ?? Number(process.env.E2E_PORT ?? 3123) + 9);
const origin = `http://127.0.0.1:${port}`;
const work = mkdtempSync(join(tmpdir(), 'firstlight-package-'));
const app = join(work, 'app');
const baseEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', npm_config_audit: 'false', npm_config_fund: 'false' };
// the repository's own settings must not leak into the example
for (const k of Object.keys(baseEnv)) if (k.startsWith('FIRSTLIGHT_') || k.startsWith('npm_package_')) delete baseEnv[k];
const servers = [];

function log(msg) {
  process.stdout.write(`[package test] ${msg}\n`);
}

function run(cmd, args, cwd, env = baseEnv) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function duBytes(dir) {
  return Number(run('du', ['-sb', dir], work).split('\t')[0]);
}

/** Text of an element in server HTML (React escapes these five). */
function htmlText(html, testId) {
  const raw = new RegExp(`data-testid="${testId}"[^>]*>([^<]+)<`).exec(html)?.[1];
  return raw?.replace(/&(#x27|#39|quot|lt|gt|amp);/g, (_, e) => ({ '#x27': "'", '#39': "'", quot: '"', lt: '<', gt: '>', amp: '&' })[e]);
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;

/** The JSONL event log's events ([] before the first write). */
function readEvents(file) {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

/** `next start` with extra env; resolves when it answers, or with its output when it exits first. */
async function startApp(extraEnv) {
  const child = spawn(join(app, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: app,
    env: { ...baseEnv, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  for (let i = 0; i < 300; i++) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 100))]);
    if (code !== undefined) return { child, exitCode: code, output: () => output };
    const up = await fetch(`${origin}/about`, { redirect: 'manual' }).then(() => true, () => false);
    if (up) return { child, exitCode: null, output: () => output };
  }
  throw new Error(`the example did not start:\n${output}`);
}

async function stopApp(server) {
  if (server.exitCode !== null || server.child.exitCode !== null) return;
  const gone = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await gone;
}

function cleanup() {
  for (const s of servers) if (s.exitCode === null) s.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}

// a hung step must fail the run, not hold it: the whole check takes about a minute
const guard = setTimeout(() => {
  log('FAILED: timed out after 6 minutes');
  cleanup();
  process.exit(1);
}, 6 * 60_000);
guard.unref();

try {
  // 1. the tarball (prepack builds dist/)
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], repo));
  const tarball = join(work, packed.filename);
  const files = packed.files.map((f) => f.path);
  assert.ok(files.every((f) => /^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f)), `unexpected files in the tarball: ${files.filter((f) => !f.startsWith('dist/'))}`);
  assert.ok(!files.some((f) => /(^|\/)(test|e2e|bench|app)\//.test(f)), 'the tarball ships no tests, benches or demo');
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  for (const p of ['next', 'react', 'react-dom', 'tsx', 'esbuild', '@statsig/js-client', '@statsig/react-bindings', 'ioredis']) {
    assert.ok(!(p in (pkg.dependencies ?? {})), `${p} must not be a runtime dependency`);
  }

  // 2. the example outside the repository: its lockfile installs the peers, then the tarball
  cpSync(join(repo, 'examples', 'next-app'), app, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|\.next)([/\\]|$)/.test(src),
  });
  run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], app);
  const before = duBytes(join(app, 'node_modules'));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
  const added = duBytes(join(app, 'node_modules')) - before;
  const firstlightOnly = duBytes(join(app, 'node_modules', 'firstlight'));
  assert.ok(!existsSync(join(app, 'node_modules', 'firstlight', 'node_modules', 'next')), 'no second copy of next');
  assert.ok(!existsSync(join(app, 'node_modules', 'firstlight', 'node_modules', '@statsig')), 'no second copy of the Statsig bindings');
  assert.ok(added < 5 * 1024 * 1024, `the package adds ${mb(added)} to an app that has its peers (budget 5 MB)`);
  const glue = ['instrumentation.ts', 'middleware.ts', 'app/flags.ts', 'app/api/statsig/[...path]/route.ts', 'app/layout.tsx'].map(
    (f) => [f, readFileSync(join(app, f), 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('//')).length],
  );
  log(
    `tarball ${packed.filename}: ${(packed.size / 1024).toFixed(1)} KB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KB unpacked, ` +
      `${packed.entryCount} files; installed into an app with its peers: +${mb(added)} (firstlight itself ${mb(firstlightOnly)}); ` +
      `glue lines (non-blank, non-comment): ${glue.map(([f, n]) => `${f} ${n}`).join(', ')}`,
  );

  // 3. an entry point that does not exist, and the CLI from the installed package
  const unknown = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('firstlight/nope')"], { cwd: app, encoding: 'utf8' });
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED[\s\S]*'\.\/nope' is not defined by "exports"/);
  const help = spawnSync(join(app, 'node_modules', '.bin', 'firstlight'), ['--help'], { cwd: app, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: firstlight <command>/);
  writeFileSync(join(work, 'users.jsonl'), `${JSON.stringify({ userID: 'a', email: 'a@firstlight.dev' })}\n`);
  const evald = run(join(app, 'node_modules', '.bin', 'firstlight'), ['eval', '--specs', 'specs/dcs.json', '--users', join(work, 'users.jsonl')], app);
  assert.match(evald, /express_checkout/);

  // 3b. `firstlight` in a plain Node script of an app without ioredis (an optional peer): it loads and
  // evaluates; fleet mode is refused at start with MissingPackageError naming ioredis, before any send
  assert.ok(!existsSync(join(app, 'node_modules', 'ioredis')), 'the example has no ioredis (the check below needs its absence)');
  writeFileSync(
    join(app, 'plain-node.mjs'),
    `import { readFileSync } from 'node:fs';
const out = {};
const fl = await import('firstlight');
const statsig = new fl.Statsig('', { localMode: true, bootstrapValues: readFileSync('specs/dcs.json', 'utf8'), disableAllLogging: true });
await statsig.initialize();
out.gate = statsig.checkGate({ userID: 'a', email: 'a@firstlight.dev' }, 'express_checkout');
const code = (e) => ({ name: e?.name, code: e?.code, packages: e?.packages, message: e?.message });
const sink = new fl.RedisStreamSink({ redis: 'redis://127.0.0.1:1' });
out.sinkOpen = await sink.open().then(() => 'opened', code);
const fleet = new fl.Statsig('', { localMode: true, eventSinks: [new fl.RedisStreamSink({ redis: 'redis://127.0.0.1:1' })] });
out.initialize = await fleet.initialize().then(() => 'initialized', code);
const { startProxy } = await import('firstlight/proxy');
out.proxy = await startProxy({ port: 0, cache: 'redis', redisUrl: 'redis://127.0.0.1:1' }).then(async (p) => { await p.stop(); return 'started'; }, code);
const local = await startProxy({ port: 0 });
out.localProxy = typeof local.port;
await local.stop();
console.log(JSON.stringify(out));
process.exit(0);
`,
  );
  const plain = JSON.parse(run(process.execPath, ['plain-node.mjs'], app).trim().split('\n').pop());
  assert.equal(plain.gate, true, 'firstlight evaluates in plain Node');
  for (const k of ['sinkOpen', 'initialize', 'proxy']) {
    assert.equal(plain[k].code, 'FL_ERR_MISSING_PACKAGE', `${k}: ${JSON.stringify(plain[k])}`);
    assert.equal(plain[k].name, 'MissingPackageError');
    assert.deepEqual(plain[k].packages, ['ioredis']);
    assert.match(plain[k].message, /needs the optional package ioredis, which is not installed: npm install ioredis/);
  }
  assert.equal(plain.localProxy, 'number', 'the proxy with its local cache runs without ioredis');

  // 4. build with the example's defaults (cacheComponents, partialPrefetching, target ES2017)
  run(join(app, 'node_modules', '.bin', 'next'), ['build'], app);

  // 4b. the app and type probes compile against the installed declarations with skipLibCheck: false
  // (every .d.ts the app reaches is checked: one importing zod or ioredis, neither installed, fails)
  assert.ok(!existsSync(join(app, 'node_modules', 'zod')), 'the example has no zod (the check below needs its absence)');
  writeFileSync(
    join(app, 'type-probes.ts'),
    `import { Statsig, RedisStreamSink, MissingPackageError, type StatsigOptions } from 'firstlight';
import { parseSpecs, checkGate, type Specs } from 'firstlight/core';
import { getRequestFlags, createRouteHandlers, checkConfig, type RequestFlagsOptions } from 'firstlight/next';
import { createStableIdProxy } from 'firstlight/next/proxy';
import { FirstlightProvider, useExperiment } from 'firstlight/react';
import { startProxy, type ProxyOptionsInput } from 'firstlight/proxy';
import { forcedVariantsHeader } from 'firstlight/testing';

export const options: StatsigOptions = { environment: 'production', proxyConfigs: { download_config_specs: { protocol: 'http', proxyAddress: 'http://proxy:8000/v1' } } };
export const statsig = new Statsig('secret-probe', options);
export const gate: boolean = statsig.checkGate({ userID: 'u' }, 'express_checkout');
export const headline: string = statsig.getExperiment({ userID: 'u' }, 'hero_copy').get('headline', 'Welcome');
export const specs: Specs = parseSpecs('{}');
export const edge: boolean = checkGate(specs, { userID: 'u' }, 'g');
export const flagsOptions: RequestFlagsOptions = { identify: async ({ cookies }) => ({ userID: cookies.get('id')?.value ?? 'anon' }) };
export const handlers = createRouteHandlers(flagsOptions);
export const proxy = createStableIdProxy();
export const proxyOptions: ProxyOptionsInput = { port: 0, cache: 'redis', mode: 'grpc-and-http' };
export const sink = new RedisStreamSink({ redis: { multi: () => ({ xadd: () => 'id', exec: async () => [] }) } });
export const missing: readonly string[] = new MissingPackageError('m', ['ioredis']).packages;
export const used = [getRequestFlags, checkConfig, FirstlightProvider, useExperiment, startProxy, forcedVariantsHeader];

// wrong calls: each must fail to compile (an unused @ts-expect-error is itself an error)
// @ts-expect-error an option Statsig does not have
new Statsig('secret-probe', { enviroment: 'production' });
// @ts-expect-error a user is an object, not a string
statsig.checkGate('u', 'express_checkout');
// @ts-expect-error the default fixes the parameter's type
export const n: number = statsig.getExperiment({ userID: 'u' }, 'hero_copy').get('headline', 'Welcome');
// @ts-expect-error the proxy's cache is 'local' or 'redis'
export const badProxy: ProxyOptionsInput = { cache: 'memcached' };
// @ts-expect-error a stream sink needs a URL or a client with multi()
new RedisStreamSink({ redis: 6379 });
// @ts-expect-error identify resolves to a user, not an ID string
export const badIdentify: RequestFlagsOptions = { identify: async () => 'u' };
// @ts-expect-error grpc_websocket is the streaming protocol's name
export const badProtocol: StatsigOptions = { proxyConfigs: { download_config_specs: { protocol: 'grpc', proxyAddress: 'h:1' } } };
`,
  );
  writeFileSync(
    join(app, 'tsconfig.libcheck.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { skipLibCheck: false, incremental: false, noEmit: true } }),
  );
  const tsc = spawnSync(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.libcheck.json', '--pretty', 'false'], { cwd: app, encoding: 'utf8' });
  const tscErrors = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l));
  // Next's and React's own declarations are theirs to keep; what the app and firstlight contribute must be clean
  const ours = tscErrors.filter((l) => !/^node_modules\/(?!firstlight\/)/.test(l));
  assert.deepEqual(ours, [], 'the example and the probes compile with skipLibCheck: false');
  log(`typecheck with skipLibCheck: false: ${tscErrors.length - ours.length} error(s) in other packages' declarations, none in firstlight's or the app's`);

  // 5. the running app
  const events = join(work, 'events.jsonl');
  let server = await startApp({ FIRSTLIGHT_EVENT_LOG: events, FIRSTLIGHT_FLUSH_INTERVAL_MS: '200' });
  assert.equal(server.exitCode, null, server.output());
  // what the server logs while it serves (after its start-up banner): checked for Next's warnings below
  const servingFrom = server.output().length;

  const first = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
  assert.equal(first.status, 200);
  assert.match(first.headers.get('set-cookie') ?? '', /statsig\.stable_id\.\d+=[0-9a-f-]{36}/, 'stable-ID cookie on the first response');
  const health = await (await fetch(`${origin}/api/statsig/health`)).json();
  assert.equal(health.ok, true);
  const edge = await (await fetch(`${origin}/edge/express?email=ann@firstlight.dev`)).json();
  assert.deepEqual(edge, { runtime: 'edge', express_checkout: true });
  const edgeNo = await (await fetch(`${origin}/edge/express?user=u1&email=u1@example.test`)).json();
  assert.equal(edgeNo.runtime, 'edge');
  assert.equal(typeof edgeNo.express_checkout, 'boolean');
  const notRoute = await fetch(`${origin}/api/statsig/nope`);
  assert.equal(notRoute.status, 404);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const rgstrStatuses = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/statsig/rgstr') rgstrStatuses.push(r.status());
    });
    const response = await page.goto(`${origin}/`);
    const html = await response.text();
    const serverHeadline = htmlText(html, 'server-headline');
    const htmlClientHeadline = htmlText(html, 'client-headline');
    assert.ok(serverHeadline, 'the first HTML carries the server-rendered experiment');
    assert.equal(htmlClientHeadline, serverHeadline, 'the client component renders the same variant on the server');
    const hydrated = page.getByTestId('client-headline');
    await hydrated.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="client-headline"]')?.getAttribute('data-reason') === 'Bootstrap:Recognized');
    assert.equal(await hydrated.textContent(), serverHeadline, 'hydrated text equals the first HTML');
    const cookies = await page.context().cookies();
    const stable = cookies.find((c) => c.name.startsWith('statsig.stable_id.'));
    assert.ok(stable, 'the browser holds the stable-ID cookie');
    // events reach the catch-all route and the server's event log: flush the page's client now
    const flushed = await page.evaluate(async () => {
      const instances = window.__STATSIG__?.instances ?? {};
      await Promise.all(Object.values(instances).map((c) => c.flush()));
      return Object.keys(instances).length;
    });
    assert.equal(flushed, 1, 'one Statsig client on the page');
    for (let i = 0; i < 100 && rgstrStatuses.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(rgstrStatuses.slice(0, 1), [202], `event batches reach the catch-all route (requests: ${requests.join(', ')})`);
    assert.ok(!requests.some((p) => p.endsWith('/initialize')), `no /initialize request (saw ${requests.join(', ')})`);
    let logged = [];
    for (let i = 0; i < 100 && !logged.some((e) => e.eventName === 'statsig::config_exposure'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      logged = existsSync(events) ? readFileSync(events, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    }
    const mine = logged.filter((e) => e.user?.customIDs?.stableID === stable.value);
    assert.ok(mine.some((e) => e.eventName === 'statsig::config_exposure' && e.metadata?.config === 'hero_copy'), 'the hero_copy exposure is logged for this browser');
    assert.ok(mine.some((e) => e.eventName === 'statsig::gate_exposure' && e.metadata?.gate === 'express_checkout'), 'the server-side gate exposure is logged');

    // deferred exposures under partialPrefetching: /about's <Link> prefetches the home page, which reads
    // hero_copy and express_checkout on the server. The prefetch logs neither; the shown page logs each once.
    const context = await browser.newContext();
    const about = await context.newPage();
    const homeRequests = [];
    const shownReports = [];
    about.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/' && r.resourceType() !== 'document') homeRequests.push({ prefetch: 'next-router-prefetch' in r.headers() });
      if (r.method() === 'POST' && url.pathname === '/api/statsig/shown') shownReports.push(JSON.parse(r.postData() ?? '{}'));
    });
    await about.goto(`${origin}/about`);
    await about.getByRole('link', { name: 'Home' }).waitFor();
    for (let i = 0; i < 150 && !homeRequests.some((r) => r.prefetch); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(homeRequests.some((r) => r.prefetch), 'the router prefetched the home page');
    await about.waitForLoadState('networkidle');
    const device = (await context.cookies()).find((c) => c.name.startsWith('statsig.stable_id.'))?.value;
    assert.ok(device, 'the /about response set the stable-ID cookie');
    const serverExposures = () =>
      readEvents(events).filter(
        (e) =>
          e.user?.customIDs?.stableID === device &&
          // the server's own exposures; the browser's arrive through rgstr with its SDK in statsigMetadata
          !e.statsigMetadata?.sdkType &&
          ((e.eventName === 'statsig::gate_exposure' && e.metadata?.gate === 'express_checkout') ||
            (e.eventName === 'statsig::config_exposure' && e.metadata?.config === 'hero_copy')),
      );
    await new Promise((r) => setTimeout(r, 1_000)); // two flush intervals: a prefetch's exposure would be in the log by now
    assert.deepEqual(serverExposures(), [], 'a prefetch logs no exposure');
    assert.deepEqual(shownReports, [], 'nothing is reported before the page is shown');
    await about.getByRole('link', { name: 'Home' }).click();
    await about.getByTestId('server-headline').waitFor();
    for (let i = 0; i < 100 && serverExposures().length < 2; i++) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1_000)); // and nothing more arrives
    const shownLogged = serverExposures().map((e) => e.eventName).sort();
    assert.deepEqual(shownLogged, ['statsig::config_exposure', 'statsig::gate_exposure'], 'the shown page logs each server read once');
    assert.equal(shownReports.length, 1, `the page reported once (${JSON.stringify(shownReports)})`);
    assert.deepEqual(shownReports[0].gates, ['express_checkout']);
    assert.deepEqual(shownReports[0].configs, ['hero_copy']);
    await context.close();
  } finally {
    await browser.close();
  }
  // Next's warnings about request data under cacheComponents would show here (uncached data outside
  // <Suspense>, the exposure timestamp's Date.now() as an "unstable value")
  const served = server.output().slice(servingFrom);
  const warnings = served.split('\n').filter((l) => /unstable value|Suspense|uncached|cacheComponents|Date\.now|blocking|prerender/i.test(l));
  assert.deepEqual(warnings, [], `no cacheComponents warnings while serving:\n${served}`);
  await stopApp(server);

  // 6b. an app with no Firstlight configuration (no .env): checkConfig() in instrumentation.ts stops it
  // at start with the coded error naming what is missing
  const dotenv = join(app, '.env');
  const dotenvText = readFileSync(dotenv, 'utf8');
  rmSync(dotenv);
  server = await startApp({});
  for (let i = 0; i < 100 && !/FL_ERR_INVALID_OPTION/.test(server.output()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(server.output(), /FL_ERR_INVALID_OPTION/);
  assert.match(server.output(), /missing configuration: FIRSTLIGHT_CLIENT_KEY is not set[^\n]*; no specs source: set STATSIG_SERVER_SECRET \(specs from Statsig\) or FIRSTLIGHT_SPECS_FILE/);
  assert.equal((await fetch(`${origin}/`)).status, 500);
  await stopApp(server);
  writeFileSync(dotenv, dotenvText);

  // 6. bad input: a server secret as the client key. checkConfig() in instrumentation.ts throws at
  // start-up; Next reports it before any request and then answers every request with a 500, so no
  // page is ever served with the secret in it. The secret itself is never echoed.
  server = await startApp({ FIRSTLIGHT_CLIENT_KEY: 'secret-leaked-0123456789' });
  for (let i = 0; i < 100 && !/FL_ERR_INVALID_OPTION/.test(server.output()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(server.output(), /FIRSTLIGHT_CLIENT_KEY is a server secret/);
  assert.equal((await fetch(`${origin}/`)).status, 500);
  assert.equal((await fetch(`${origin}/api/statsig/health`)).status, 500);
  assert.ok(!server.output().includes('leaked-0123456789'), 'the secret is not echoed');
  await stopApp(server);

  // 7. bad input: the specs file is missing — fail-open off: error page and health 503; on: defaults, page up
  server = await startApp({ FIRSTLIGHT_SPECS_FILE: 'specs/missing.json', FIRSTLIGHT_EVENT_LOG: events });
  assert.equal(server.exitCode, null, server.output());
  const closed = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
  // the flags render inside <Suspense>, so the 200 is sent before FlagsUnavailableError reaches the
  // error boundary: the streamed page carries the error instead of the content
  const closedHtml = await closed.text();
  assert.ok(!/data-testid="server-headline"/.test(closedHtml), 'fail-open off: no page content is rendered');
  const closedHealth = await fetch(`${origin}/api/statsig/health`);
  assert.equal(closedHealth.status, 503);
  assert.equal((await closedHealth.json()).servingDefaults, false);
  await stopApp(server);
  // (and without FIRSTLIGHT_EVENT_LOG: no event destination, so the event routes refuse instead of a 202)
  server = await startApp({ FIRSTLIGHT_SPECS_FILE: 'specs/missing.json', FIRSTLIGHT_FAIL_OPEN: 'true' });
  const open = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
  assert.equal(open.status, 200);
  assert.match(await open.text(), /data-testid="server-headline"[^>]*>Welcome</, 'the default is rendered');
  const openHealth = await fetch(`${origin}/api/statsig/health`);
  assert.equal(openHealth.status, 200);
  const oh = await openHealth.json();
  assert.equal(oh.ok, false);
  assert.equal(oh.servingDefaults, true);
  const openBoot = await fetch(`${origin}/api/statsig/bootstrap`);
  assert.equal(openBoot.status, 200);
  assert.deepEqual((await openBoot.json()).dynamic_configs, {});
  const refused = await fetch(`${origin}/api/statsig/rgstr?k=client-firstlight-demo`, {
    method: 'POST',
    body: JSON.stringify({ events: [{ eventName: 'click', user: { userID: 'u' }, time: 1 }] }),
  });
  assert.equal(refused.status, 501, 'no event destination: rgstr refuses');
  assert.match((await refused.json()).error, /no event destination is configured/);
  assert.equal(oh.eventsEnabled, false);
  assert.match(server.output(), /no event destination \(STATSIG_SERVER_SECRET or FIRSTLIGHT_EVENT_LOG\)/);
  await stopApp(server);
  // nothing was written inside the app's source tree: every file the runs wrote was a configured path
  assert.ok(!existsSync(join(app, 'var')), 'no var/ in the app');
  log('all package checks passed');
} catch (e) {
  log(`FAILED: ${e instanceof Error ? e.stack : e}`);
  cleanup();
  process.exit(1);
}
cleanup();
