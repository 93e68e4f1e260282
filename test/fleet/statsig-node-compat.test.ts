/**
 * Drop-in check: Statsig's own legacy Node SDK (statsig-node 6.5.2, the reference behaviour) pointed
 * at the forward proxy initializes from it, syncs ID lists through it (manifest + Range reads of the
 * list file) and delivers its events upstream through the proxy's log_event forwarding.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { startProxy, type ForwardProxy } from '../../server/proxy';
import { FakeUpstream, FIXTURE_SECRET } from './support/fake-upstream';
import { waitFor } from './support/wait';
import './support/no-unhandled';

interface StatsigNode {
  initialize(secret: string, options: Record<string, unknown>): Promise<void>;
  checkGateSync(user: Record<string, unknown>, gate: string): boolean;
  getFeatureGateSync(user: Record<string, unknown>, gate: string): { value: boolean; evaluationDetails?: { reason: string } };
  logEvent(user: Record<string, unknown>, name: string, value?: string | number | null, metadata?: Record<string, unknown>): void;
  flush(timeout?: number): Promise<void>;
  shutdownAsync(timeout?: number): Promise<void>;
}

const statsig = createRequire(import.meta.url)('statsig-node') as StatsigNode;

describe('statsig-node 6.5.2 through the forward proxy', () => {
  const up = new FakeUpstream();
  let proxy: ForwardProxy;

  before(async () => {
    up.idLists.set('blocked_users_list', { fileID: 'file-1', content: '+uqA1R8xi\n', creationTime: 1735689600000 });
    await up.start();
    proxy = await startProxy(
      { port: 0, upstream: up.url, pollingIntervalMs: 1000, logEventFlushIntervalMs: 50, idListsIntervalMs: 50 },
      { log: () => {}, warn: () => {} },
    );
    await statsig.initialize(FIXTURE_SECRET, {
      apiForDownloadConfigSpecs: `${proxy.url}/v1`,
      api: `${proxy.url}/v1`,
      initTimeoutMs: 5000,
      rulesetsSyncIntervalMs: 1000,
      disableDiagnostics: true,
    });
  });

  after(async () => {
    await statsig.shutdownAsync(2000).catch(() => {});
    await proxy.stop();
    await up.close();
  });

  test('evaluates from the proxied specs, including an ID-list segment read through the proxy', async () => {
    const u1 = { userID: 'user-1', email: 'alice@example.com' };
    const blocked = { userID: 'blocked-user-1' };
    assert.equal(statsig.checkGateSync(u1, 'public_gate'), true);
    assert.equal(statsig.getFeatureGateSync(u1, 'public_gate').evaluationDetails?.reason, 'Network');
    assert.equal(statsig.checkGateSync(u1, 'segment:blocked_users'), false);
    assert.equal(statsig.checkGateSync(blocked, 'segment:blocked_users'), true);
    assert.ok(up.idListRanges.includes('bytes=0-'), 'the proxy read the list file from upstream');
  });

  test('its events reach upstream through the proxy', async () => {
    statsig.logEvent({ userID: 'user-1' }, 'checkout', 12, { plan: 'team' });
    await statsig.flush(2000);
    await waitFor('events upstream', () => up.logEventBatches.some((b) => b.events.some((e) => (e as { eventName?: string }).eventName === 'checkout')), 5000);
    const batch = up.logEventBatches.find((b) => b.events.some((e) => (e as { eventName?: string }).eventName === 'checkout'))!;
    assert.equal(batch.key, FIXTURE_SECRET);
    assert.ok(batch.events.some((e) => (e as { eventName?: string }).eventName === 'statsig::gate_exposure'));
    assert.equal(proxy.health().logEvents.dropped, 0);
  });

  test('a spec change upstream reaches it through the proxy', async () => {
    const base = structuredClone(up.base);
    const g = (up.base.feature_gates as { name: string; rules: unknown[] }[]).find((x) => x.name === 'public_gate')!;
    g.rules = [];
    up.bump();
    try {
      await waitFor('public_gate off through the proxy', () => !statsig.checkGateSync({ userID: 'user-1', email: 'alice@example.com' }, 'public_gate'), 15_000, 100);
    } finally {
      Object.assign(up.base, base);
      up.bump();
    }
  });

  test('every one of its events reaches upstream (counted)', async () => {
    for (let i = 0; i < 120; i++) statsig.logEvent({ userID: `user-${i}` }, 'counted_event', i);
    await statsig.flush(2000);
    const count = () => up.logEventBatches.flatMap((b) => b.events).filter((e) => (e as { eventName?: string }).eventName === 'counted_event').length;
    await waitFor('120 events upstream', () => count() >= 120, 10_000);
    assert.equal(count(), 120);
    assert.equal(proxy.health().logEvents.dropped, 0);
  });
});
