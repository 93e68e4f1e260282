/**
 * The web OpenFeature provider follows identity both ways and tracks, on a real @statsig/js-client
 * talking real HTTP to a local server that answers /initialize with Firstlight's own bootstrap for the
 * posted user and records /rgstr: an OpenFeature context naming another user re-identifies the client
 * (one /initialize, the device's stableID kept) and the values are then Firstlight's for that user; a
 * context naming the same user costs no request; a re-identify done on the js-client is announced as
 * PROVIDER_CONFIGURATION_CHANGED; `track` reaches /rgstr as a custom event.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { LogLevel, StatsigClient } from '@statsig/js-client';
import { Statsig } from '../../server/statsig';
import { silentLogger } from '../../server/logger';
import { FirstlightWebProvider } from '../../server/openfeature/web-provider';
import { FIXTURE_DCS_FILE, FIXTURE_SECRET, fixtureDcsJson } from '../support/fixtures';

const CLIENT_KEY = 'client-openfeature-identity';
const GATES = (JSON.parse(fixtureDcsJson()) as { feature_gates: { name: string; entity?: string }[] }).feature_gates.filter((g) => g.entity === 'feature_gate').map((g) => g.name);

const statsig = new Statsig(FIXTURE_SECRET, { localMode: true, specsFile: FIXTURE_DCS_FILE, eventSinks: [], logger: silentLogger });
const initializeUsers: Record<string, unknown>[] = [];
const rgstrEvents: Record<string, unknown>[] = [];
let failInitialize = false;

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return JSON.parse(text) as Record<string, unknown>;
}

const server = createServer((req, res) => {
  void (async () => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const body = await bodyOf(req);
    if (path === '/v1/initialize') {
      initializeUsers.push(body.user as Record<string, unknown>);
      if (failInitialize) return void res.writeHead(500).end('{}');
      const cir = statsig.evaluateAll(body.user as Record<string, unknown>, { clientKey: CLIENT_KEY }).toClientInitializeResponseJSON({ hash: 'djb2' });
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(cir);
    }
    if (path === '/v1/rgstr') {
      rgstrEvents.push(...((body.events as Record<string, unknown>[]) ?? []));
      res.writeHead(202, { 'content-type': 'application/json' });
      return void res.end('{"success":true}');
    }
    res.writeHead(404).end();
  })();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
// the SDK logs a failed context change itself; the test reads it from the Error event instead
OpenFeature.setLogger({ error() {}, warn() {}, info() {}, debug() {} });
await statsig.initialize();
const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const clients: StatsigClient[] = [];
after(async () => {
  // js-clients that log hold a flush timer: shut them down before the server they flush to
  await Promise.all(clients.map((c) => c.shutdown().catch(() => {})));
  await OpenFeature.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await statsig.shutdown();
});

const STABLE_ID = 'device-0000-4000-8000-000000000042';

/** A js-client bootstrapped from Firstlight's payload for `user`, as FirstlightProvider makes it on a page. */
function bootstrappedClient(user: Record<string, unknown>) {
  const cir = statsig.evaluateAll(user, { clientKey: CLIENT_KEY }).toClientInitializeResponseJSON({ hash: 'djb2' })!;
  const js = new StatsigClient(CLIENT_KEY, (JSON.parse(cir) as { user: Record<string, unknown> }).user, {
    networkConfig: { api },
    disableStorage: true,
    disableCompression: true,
    loggingEnabled: 'always',
    logLevel: LogLevel.None,
  } as ConstructorParameters<typeof StatsigClient>[2]);
  js.dataAdapter.setData(cir);
  js.initializeSync();
  clients.push(js);
  return js;
}

function expectedGates(user: Record<string, unknown>): Record<string, boolean> {
  const snap = statsig.evaluateAll(user);
  return Object.fromEntries(GATES.map((g) => [g, snap.peekGate(g).value]));
}

test('a context naming another user re-identifies the js-client once; the same user costs nothing; a js-client re-identify is announced', async () => {
  const alice = { userID: 'alice@example.com', email: 'alice@example.com', customIDs: { stableID: STABLE_ID } };
  const js = bootstrappedClient(alice);
  const provider = new FirstlightWebProvider({ client: js });
  OpenFeature.setProvider('identity', provider);
  const client = OpenFeature.getClient('identity');
  const events: string[] = [];
  client.addHandler(ProviderEvents.ConfigurationChanged, () => void events.push('configuration'));
  client.addHandler(ProviderEvents.ContextChanged, () => void events.push('context'));
  const values = () => Object.fromEntries(GATES.map((g) => [g, client.getBooleanValue(g, false)]));
  assert.deepEqual(values(), expectedGates(alice));

  // the bootstrap's own user as a context: nothing to fetch
  await OpenFeature.setContext('identity', { targetingKey: alice.userID, email: alice.email });
  assert.equal(initializeUsers.length, 0);

  // another user (an employee: employee_gate and more change), the device kept
  const bob = { userID: 'bob', email: 'bob@statsig.com' };
  await OpenFeature.setContext('identity', { targetingKey: bob.userID, email: bob.email });
  assert.equal(initializeUsers.length, 1);
  assert.equal(initializeUsers[0]!.userID, 'bob');
  assert.deepEqual(initializeUsers[0]!.customIDs, { stableID: STABLE_ID });
  const bobWithDevice = { ...bob, customIDs: { stableID: STABLE_ID } };
  assert.notDeepEqual(expectedGates(bobWithDevice), expectedGates(alice), 'the fixture must tell the two users apart');
  assert.deepEqual(values(), expectedGates(bobWithDevice));
  assert.ok(events.includes('context'), events.join());
  assert.ok(!events.includes('configuration'), 'the provider\'s own re-identify is the SDK\'s context change, not a configuration change');

  // the page re-identifies the js-client itself (a new bootstrap after a login): OpenFeature hears of it
  events.length = 0;
  const carol = { userID: 'carol', email: 'carol@statsig.com', country: 'GB', customIDs: { stableID: STABLE_ID } };
  const cir = statsig.evaluateAll(carol, { clientKey: CLIENT_KEY }).toClientInitializeResponseJSON({ hash: 'djb2' })!;
  js.dataAdapter.setData(cir);
  js.updateUserSync((JSON.parse(cir) as { user: Record<string, unknown> }).user);
  assert.deepEqual(events, ['configuration']);
  assert.deepEqual(values(), expectedGates(carol));
  assert.equal(initializeUsers.length, 1, 'a bootstrapped re-identify needs no request');
});

test('track: a js-client custom event with the value and the details as metadata', async () => {
  const js = bootstrappedClient({ userID: 'dana', customIDs: { stableID: STABLE_ID } });
  OpenFeature.setProvider('tracking', new FirstlightWebProvider({ client: js }));
  const client = OpenFeature.getClient('tracking');
  client.track('purchase', { value: 9.99, sku: 'SKU-1', at: new Date('2026-12-03T10:00:00Z'), items: [1, 2] });
  client.track('', { value: 1 });
  await js.flush();
  const mine = rgstrEvents.filter((e) => e.eventName === 'purchase');
  assert.equal(mine.length, 1);
  assert.equal(mine[0]!.value, 9.99);
  assert.deepEqual(mine[0]!.metadata, { sku: 'SKU-1', at: '2026-12-03T10:00:00.000Z', items: '[1,2]' });
  assert.equal((mine[0]!.user as { userID?: string }).userID, 'dana');
  assert.equal(rgstrEvents.filter((e) => e.eventName === '').length, 0, 'an empty event name is dropped');
});

test('a re-identify the server cannot answer: the provider reports an error with the reason', async () => {
  const js = bootstrappedClient({ userID: 'erin', customIDs: { stableID: STABLE_ID } });
  OpenFeature.setProvider('failing', new FirstlightWebProvider({ client: js }));
  const client = OpenFeature.getClient('failing');
  const errors: string[] = [];
  client.addHandler(ProviderEvents.Error, (e) => void errors.push(e?.message ?? 'error'));
  failInitialize = true;
  try {
    await OpenFeature.setContext('failing', { targetingKey: 'frank' });
  } catch {
    // the SDK may reject or only emit: either way the status says so
  } finally {
    failInitialize = false;
  }
  assert.equal(client.providerStatus, 'ERROR');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /could not load values for the new context/);
});
