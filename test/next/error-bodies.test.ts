// Error bodies tell a client what failed, never where on disk or what a file holds: with a broken specs
// file, health and the 503s carry codes and times; the parse error's detail goes to the server log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'fl-errbody-'));
const specs = join(dir, 'specs-file.json');
writeFileSync(specs, '{"feature_gates": [ SNIPPET-OF-THE-FILE-k8s-internal ');
process.env.FIRSTLIGHT_CLIENT_KEY = 'client-firstlight-demo';
process.env.FIRSTLIGHT_SPECS_FILE = specs;
process.env.FIRSTLIGHT_EVENT_LOG = join(dir, 'events.jsonl');
process.env.FIRSTLIGHT_EVENT_SPOOL_DIR = join(dir, 'spool');

const routes = await import('../../server/next/routes');
const logged: string[] = [];
const original = { warn: console.warn, error: console.error, log: console.log };
console.warn = console.error = console.log = (...a: unknown[]) => void logged.push(a.map(String).join(' '));
after(() => {
  Object.assign(console, original);
  rmSync(dir, { recursive: true, force: true });
});

function assertPrivate(text: string, what: string): void {
  assert.ok(!text.includes(dir), `${what}: no path (${text.slice(0, 300)})`);
  assert.ok(!text.includes('specs-file'), `${what}: no file name`);
  assert.ok(!text.includes('SNIPPET'), `${what}: no file content`);
}

test('a broken specs file: health 503 and the routes\' 503s without path or content; the server log has the detail', async () => {
  const health = await routes.healthGET();
  assert.equal(health.status, 503);
  const body = await health.text();
  assertPrivate(body, 'health');
  assert.match(body, /"status":"unavailable"/);
  assert.match(body, /FL_ERR_/, 'the error code stays');
  const init = await routes.initializePOST(new Request('http://h/api/statsig/initialize?k=client-firstlight-demo', { method: 'POST', body: '{"user":{"userID":"u"}}' }));
  assert.equal(init.status, 503);
  assertPrivate(await init.text(), 'initialize');
  const boot = await routes.makeBootstrapGET({})(Object.assign(new Request('http://h/api/statsig/bootstrap'), { cookies: { get: () => undefined } }));
  assert.equal(boot.status, 503);
  assertPrivate(await boot.text(), 'bootstrap');
  assert.ok(logged.some((l) => l.includes('SNIPPET')), `the server log has the detail: ${logged.join(' | ').slice(0, 400)}`);
});
