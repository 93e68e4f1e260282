// Spec sync against a fake Statsig CDN over real HTTP on loopback. For every fault: the specs in force
// stay, evaluation keeps answering, the failure shows in health, and the next good payload is picked up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Statsig } from '../../server/statsig';
import { silentLogger } from '../../server/logger';
import type { StatsigOptions } from '../../server/options';
import { EXAMPLE_TIME, FakeStatsig, SECRET, nextDcs, type DcsFault } from './support/fake-statsig';
import { waitFor } from './support/wait';

const u1 = { userID: 'user-1', email: 'alice@example.com' };

function options(fake: FakeStatsig, extra: StatsigOptions = {}): StatsigOptions {
  return {
    api: fake.api,
    apiForDownloadConfigSpecs: fake.api,
    rulesetsSyncIntervalMs: 600_000, // these tests drive sync with syncNow()
    idListsSyncIntervalMs: 600_000,
    eventSinks: [],
    http: { maxRetries: 1, retryBackoffMs: 1, headersTimeoutMs: 300, bodyTimeoutMs: 300, connectTimeoutMs: 300 },
    logger: silentLogger,
    ...extra,
  };
}

const FAULTS: { fault: DcsFault; code: string; message: RegExp; requests: number }[] = [
  { fault: { kind: 'status', status: 500 }, code: 'FL_ERR_SOURCE_UNAVAILABLE', message: /answered 500/, requests: 2 },
  { fault: { kind: 'status', status: 503 }, code: 'FL_ERR_SOURCE_UNAVAILABLE', message: /answered 503/, requests: 2 },
  { fault: { kind: 'status', status: 401 }, code: 'FL_ERR_SOURCE_UNAVAILABLE', message: /answered 401 \(is the server secret right\?\)/, requests: 1 },
  { fault: { kind: 'status', status: 403 }, code: 'FL_ERR_SOURCE_UNAVAILABLE', message: /answered 403/, requests: 1 },
  { fault: { kind: 'hang' }, code: 'FL_ERR_SOURCE_UNAVAILABLE', message: /HEADERS_TIMEOUT/i, requests: 2 },
  { fault: { kind: 'slowBody' }, code: 'FL_ERR_SOURCE_UNAVAILABLE', message: /BODY_TIMEOUT/i, requests: 2 },
  { fault: { kind: 'cut' }, code: 'FL_ERR_SOURCE_UNAVAILABLE', message: /failed/, requests: 2 },
  { fault: { kind: 'truncated' }, code: 'FL_ERR_SPEC_PARSE', message: /not complete JSON/, requests: 1 },
  { fault: { kind: 'invalid' }, code: 'FL_ERR_SPEC_PARSE', message: /./, requests: 1 },
  { fault: { kind: 'older' }, code: 'FL_STALE_SPECS', message: /older than the specs in force/, requests: 1 },
  { fault: { kind: 'otherKey' }, code: 'FL_ERR_SPEC_KEY_MISMATCH', message: /another server key/, requests: 1 },
];

test('every CDN fault keeps the specs in force, shows in health, and recovery picks up the next good payload', async (t) => {
  const fake = await new FakeStatsig().start();
  const statsig = new Statsig(SECRET, options(fake));
  try {
    const init = await statsig.initialize();
    assert.equal(init.success, true);
    assert.equal(init.source, 'network');
    assert.equal(statsig.checkGate(u1, 'public_gate'), true);
    let lcut = EXAMPLE_TIME;
    let publicGate = true;

    for (const { fault, code, message, requests } of FAULTS) {
      await t.test(`${fault.kind}${'status' in fault ? ` ${fault.status}` : ''}`, async () => {
        fake.dcsFault = fault;
        const before = fake.dcsRequests().length;
        assert.equal(await statsig.syncNow(), false);
        assert.equal(fake.dcsRequests().length - before, requests, 'requests made (retries only where retryable)');
        // the specs in force stay and keep answering
        assert.equal(statsig.checkGate(u1, 'public_gate'), publicGate);
        assert.equal(statsig.getFeatureGate(u1, 'public_gate').details.reason, 'Network');
        const h = statsig.health();
        assert.equal(h.lcut, lcut);
        assert.equal(h.initialized, true);
        assert.equal(h.lastError?.code, code);
        assert.match(h.lastError!.message, message);
        assert.equal(h.lastError!.where, 'specs:network');
        assert.doesNotMatch(h.lastError!.message, new RegExp(SECRET), 'the secret never appears in health');
        assert.ok(h.counters.specs.consecutiveFailures >= 1);

        // recovery: the next good payload replaces the specs
        fake.dcsFault = null;
        lcut += 1_000;
        publicGate = !publicGate;
        fake.dcs = nextDcs(lcut, publicGate);
        assert.equal(await statsig.syncNow(), true);
        assert.equal(statsig.health().lcut, lcut);
        assert.equal(statsig.health().counters.specs.consecutiveFailures, 0);
        assert.equal(statsig.checkGate(u1, 'public_gate'), publicGate);
      });
    }

    await t.test('has_updates:false is a no-op that confirms the specs in force', async () => {
      fake.dcsFault = { kind: 'noUpdates' };
      const noUpdatesBefore = statsig.health().counters.specs.sources.network!.noUpdates;
      assert.equal(await statsig.syncNow(), true);
      assert.equal(statsig.health().lcut, lcut);
      assert.equal(statsig.checkGate(u1, 'public_gate'), publicGate);
      assert.equal(statsig.health().counters.specs.sources.network!.noUpdates, noUpdatesBefore + 1);
      fake.dcsFault = null;
    });

    const counters = statsig.health().counters.specs.sources.network!;
    console.log(`spec sync counters after the fault matrix: ${JSON.stringify(counters)}`);
    assert.equal(counters.applied, FAULTS.length + 1);
    assert.equal(counters.rejected, 3); // truncated, invalid, otherKey
    assert.equal(counters.stale, 1); // older
    assert.equal(counters.failed, 7); // 500, 503, 401, 403, hang, slow body, cut connection
  } finally {
    await statsig.shutdown(1_000);
    await fake.close();
  }
});

test('requests follow Statsig: URL scheme with sinceTime, SDK headers, one keep-alive connection', async () => {
  const fake = await new FakeStatsig().start();
  const statsig = new Statsig(SECRET, options(fake));
  try {
    await statsig.initialize();
    for (let i = 0; i < 4; i++) await statsig.syncNow();
    const dcs = fake.dcsRequests();
    assert.equal(dcs[0]!.path, `/v1/download_config_specs/${SECRET}.json`, 'no sinceTime before the first specs');
    assert.equal(dcs[1]!.path, `/v1/download_config_specs/${SECRET}.json?sinceTime=${EXAMPLE_TIME}`);
    const h = dcs[0]!.headers;
    assert.equal(h['statsig-api-key'], SECRET);
    assert.equal(h['statsig-sdk-type'], 'statsig-node');
    assert.equal(h['statsig-sdk-version'], '6.5.2');
    assert.equal(h['content-type'], 'application/json; charset=UTF-8');
    assert.match(String(h['statsig-server-session-id']), /^[0-9a-f-]{36}$/);
    assert.ok(Number(h['statsig-client-time']) > 0);
    const manifest = fake.requests.find((r) => r.path === '/v1/get_id_lists')!;
    assert.equal(manifest.method, 'POST');
    assert.equal(manifest.body.toString(), '{}');
    // keep-alive: a handful of sockets serve every request (undici may open a second one when a request
    // is dispatched in the same tick the previous response ends)
    assert.equal(fake.requests.length, 10);
    assert.ok(fake.connections <= 4, `${fake.connections} connections for ${fake.requests.length} requests`);
  } finally {
    await statsig.shutdown(1_000);
    await fake.close();
  }
});

test('start-up while the CDN is down: checks answer Uninitialized defaults, health says why, the first good sync initializes', async () => {
  const fake = await new FakeStatsig().start();
  fake.dcsFault = { kind: 'status', status: 502 };
  const statsig = new Statsig(SECRET, options(fake));
  try {
    const init = await statsig.initialize();
    assert.equal(init.success, false);
    assert.match(init.error!, /answered 502/);
    assert.equal(statsig.isInitialized(), false);
    const gate = statsig.getFeatureGate(u1, 'public_gate');
    assert.equal(gate.value, false);
    assert.equal(gate.details.reason, 'Uninitialized');
    assert.equal(statsig.getConfig(u1, 'pricing_config').get('currency', 'none'), 'none');
    assert.equal(statsig.getClientInitializeResponseJSON(u1), null);
    assert.equal(statsig.health().counters.evaluations.uninitialized, 2);
    fake.dcsFault = null;
    assert.equal(await statsig.syncNow(), true);
    assert.equal(statsig.isInitialized(), true);
    assert.equal(statsig.getFeatureGate(u1, 'public_gate').details.reason, 'Network');
  } finally {
    await statsig.shutdown(1_000);
    await fake.close();
  }
});

test('initialize resolves after initTimeoutMs when the CDN hangs, and the background sync still lands', async () => {
  const fake = await new FakeStatsig().start();
  fake.dcsFault = { kind: 'hang' };
  const statsig = new Statsig(
    SECRET,
    options(fake, { initTimeoutMs: 100, rulesetsSyncIntervalMs: 100, http: { headersTimeoutMs: 400, maxRetries: 0 } }),
  );
  try {
    const init = await statsig.initialize();
    assert.equal(init.success, false);
    assert.equal(init.timedOut, true);
    assert.equal(statsig.checkGate(u1, 'public_gate'), false);
    fake.dcsFault = null;
    await waitFor(() => statsig.isInitialized(), 'the background sync to bring specs');
    assert.equal(statsig.checkGate(u1, 'public_gate'), true);
  } finally {
    await statsig.shutdown(1_000);
    await fake.close();
  }
});

test('the sync loop backs off while the CDN fails and recovers on its own', async () => {
  const fake = await new FakeStatsig().start();
  const updates: number[] = [];
  const statsig = new Statsig(
    SECRET,
    options(fake, { rulesetsSyncIntervalMs: 50, onRulesUpdated: (u) => updates.push(u.lcut), http: { maxRetries: 0 } }),
  );
  try {
    await statsig.initialize();
    fake.dcsFault = { kind: 'status', status: 500 };
    await waitFor(() => statsig.health().counters.specs.consecutiveFailures >= 3, 'three failed rounds');
    assert.equal(statsig.checkGate(u1, 'public_gate'), true);
    fake.dcs = nextDcs(EXAMPLE_TIME + 1, false);
    fake.dcsFault = null;
    await waitFor(() => statsig.health().lcut === EXAMPLE_TIME + 1, 'the loop to pick up the good payload');
    assert.equal(statsig.checkGate(u1, 'public_gate'), false);
    assert.deepEqual(updates, [EXAMPLE_TIME, EXAMPLE_TIME + 1]);
    assert.ok(statsig.health().ageMs! >= 0);
  } finally {
    await statsig.shutdown(1_000);
    await fake.close();
  }
});
