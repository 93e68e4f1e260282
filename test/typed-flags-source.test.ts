/**
 * `firstlight types --source URL`: the declaration downloaded from a running source over real HTTP (a
 * local server in Statsig's URL scheme serving the example fixture, and faulty ones) is the one the
 * file gives; network errors, refusals and bad payloads exit 2 with one line; the SDK key is sent as
 * the SDK sends it and never printed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { FIXTURE_DCS_FILE, FIXTURE_SECRET, fixtureDcsJson } from './support/fixtures';

const repo = resolve('.');
const dir = mkdtempSync(join(tmpdir(), 'firstlight-types-source-'));
const KEY = FIXTURE_SECRET;

interface Seen {
  readonly path: string;
  readonly apiKey: string | undefined;
}
const seen: Seen[] = [];

/** Each first path segment is a behaviour; the rest is Statsig's `/v1/download_config_specs/<key>.json`. */
function handle(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  seen.push({ path: req.url ?? '', apiKey: req.headers['statsig-api-key'] as string | undefined });
  const [, mode, ...rest] = (req.url ?? '').split('/');
  const tail = `/${rest.join('/')}`;
  const expected = `/v1/download_config_specs/${encodeURIComponent(KEY)}.json`;
  const send = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };
  if (mode === 'ok' || mode === 'proxy') {
    if (tail !== expected && tail !== `/v1/download_config_specs/${encodeURIComponent('secret-other')}.json`) return send(404, '{}');
    if (req.headers['statsig-api-key'] !== tail.slice('/v1/download_config_specs/'.length, -'.json'.length)) return send(401, '{}');
    return send(200, fixtureDcsJson());
  }
  if (mode === 'bad-json') return send(200, '{"feature_gates": [');
  if (mode === 'not-dcs') return send(200, JSON.stringify({ feature_gates: [{ name: 7 }] }));
  if (mode === 'echo-key') return send(200, `<html>no specs for ${KEY}</html>`);
  if (mode === 'no-updates') return send(200, '{"has_updates":false}');
  if (mode === 'unauthorized') return send(401, '{"message":"invalid key"}');
  if (mode === 'always-500') return send(500, 'boom');
  if (mode === 'gzip') {
    res.writeHead(200, { 'content-encoding': 'gzip' });
    return void res.end(Buffer.from([0x1f, 0x8b, 0, 0]));
  }
  if (mode === 'reset') return void req.socket.destroy();
  if (mode === 'hang') return; // never answers
  send(404, '{}');
}

let server: Server;
let base: string;
let closedPort: number;

before(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // a port nothing listens on: bound, noted, closed
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI in a child process, asynchronously: the server above answers on this event loop. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv = {} as NodeJS.ProcessEnv;
  for (const [k, v] of Object.entries({ ...process.env, FIRSTLIGHT_SERVER_SECRET: undefined, STATSIG_SERVER_SECRET: undefined, ...env })) {
    if (v !== undefined) childEnv[k] = v;
  }
  return new Promise((resolvePromise) => {
    execFile(process.execPath, ['--import', 'tsx', join(repo, 'bin/firstlight.ts'), 'types', ...args], { env: childEnv, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolvePromise({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('from a running source the declaration equals the one from the file; the key goes in the path and STATSIG-API-KEY', async () => {
  const fromFile = await cli(['--specs', FIXTURE_DCS_FILE]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  seen.length = 0;
  const fromSource = await cli(['--source', `${base}/ok/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY });
  assert.equal(fromSource.code, 0, fromSource.stderr);
  assert.equal(fromSource.stdout, fromFile.stdout);
  assert.match(fromFile.stdout, /public_gate/);
  assert.deepEqual(seen, [{ path: `/ok/v1/download_config_specs/${KEY}.json`, apiKey: KEY }]);

  // the same through --sdk-key and a URL that ends at /download_config_specs (a forward proxy's)
  const out = join(dir, 'flags.d.ts');
  const written = await cli(['--source', `${base}/proxy/v1/download_config_specs/`, '--sdk-key', KEY, '--out', out]);
  assert.equal(written.code, 0, written.stderr);
  assert.equal(readFileSync(out, 'utf8'), fromFile.stdout);
  assert.match(written.stderr, /wrote .*flags\.d\.ts \(\d+ gates/);
  const check = await cli(['--source', `${base}/ok/v1`, '--out', out, '--check'], { STATSIG_SERVER_SECRET: KEY });
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stderr, /is current/);
  for (const r of [fromSource, written, check]) assert.ok(!r.stderr.includes(KEY), r.stderr);
});

test('network errors, refusals and bad payloads: exit 2, one line naming the source, the key never printed', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--source', `http://127.0.0.1:${closedPort}/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /--source http:\/\/127\.0\.0\.1:\d+\/v1\/download_config_specs\/<secret>: failed: ECONNREFUSED/],
    [['--source', `${base}/reset/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /reset\/v1\/download_config_specs\/<secret>: failed: (UND_ERR_SOCKET|ECONNRESET)/],
    [['--source', `${base}/hang/v1`, '--timeout-ms', '300'], { FIRSTLIGHT_SERVER_SECRET: KEY }, /hang\/v1\/download_config_specs\/<secret>: failed: (UND_ERR_HEADERS_TIMEOUT|timeout)/],
    [['--source', `${base}/always-500/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /always-500\/v1\/download_config_specs\/<secret> answered 500$/m],
    [['--source', `${base}/unauthorized/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /answered 401 \(is the SDK key right\?/],
    [['--source', `${base}/bad-json/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /did not answer JSON/],
    [['--source', `${base}/echo-key/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /did not answer JSON/],
    [['--source', `${base}/not-dcs/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /did not answer a valid download_config_specs payload: .*feature_gates/],
    [['--source', `${base}/no-updates/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /has_updates": false\}: it holds no specs/],
    [['--source', `${base}/gzip/v1`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /content-encoding gzip/],
    [['--source', `${base}/ok/v1`], { FIRSTLIGHT_SERVER_SECRET: 'secret-other' }, /served specs issued for another SDK key/],
    [['--source', `${base}/ok/v1`], {}, /--source needs an SDK key: --sdk-key KEY or FIRSTLIGHT_SERVER_SECRET/],
    [['--source', `${base}/ok/v1`, '--sdk-key', 'has space'], {}, /--sdk-key must be printable ASCII without spaces/],
    [['--source', `${base}/ok/v1`, '--timeout-ms', 'soon'], { FIRSTLIGHT_SERVER_SECRET: KEY }, /--timeout-ms /],
    [['--source', 'ftp://127.0.0.1/v1'], { FIRSTLIGHT_SERVER_SECRET: KEY }, /--source must be an http\(s\) URL/],
    [['--source', 'not a url'], { FIRSTLIGHT_SERVER_SECRET: KEY }, /--source is not a URL/],
    [['--source', `${base}/ok/v1/download_config_specs/${KEY}.json`], { FIRSTLIGHT_SERVER_SECRET: KEY }, /without the key/],
    [['--source', `http://user:${KEY}@127.0.0.1/v1`], {}, /must not carry credentials/],
    [['--source', `${base}/ok/v1`, '--specs', FIXTURE_DCS_FILE], { FIRSTLIGHT_SERVER_SECRET: KEY }, /--specs FILE or --source URL, not both/],
    [['--specs', FIXTURE_DCS_FILE, '--sdk-key', KEY], {}, /--sdk-key and --timeout-ms go with --source/],
  ];
  for (const [args, env, message] of cases) {
    const r = await cli(args, env);
    const what = `${args.join(' ')}: ${r.stderr}`;
    assert.equal(r.code, 2, what);
    assert.match(r.stderr, message, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, what);
    assert.equal(r.stdout, '', what);
    assert.ok(!r.stderr.includes(KEY), what);
  }
  // retryable statuses are retried as the SDK retries them (2 retries), then given up
  assert.equal(seen.filter((s) => s.path.startsWith('/always-500/')).length, 3);
  assert.equal(seen.filter((s) => s.path.startsWith('/unauthorized/')).length, 1);
});
