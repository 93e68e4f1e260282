/**
 * Statsig's current server SDK, @statsig/statsig-node-core 0.23.2, streaming from the proxy with its
 * own `network_grpc_websocket` spec adapter (the published linux-x64 binary includes it): it initializes
 * from the stream and sees a spec change pushed to it while its HTTP polling interval is a minute and
 * no HTTP download_config_specs request reaches the proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy, type ForwardProxy } from '../../server/proxy';
import { FakeUpstream, FIXTURE_SECRET } from './support/fake-upstream';
import { waitFor } from './support/wait';
import './support/no-unhandled';

process.env.TZ = 'UTC';

interface CoreStatsig {
  initialize(): Promise<{ isSuccess: boolean; error?: string; source?: string }>;
  checkGate(user: unknown, name: string): boolean;
  shutdown(): Promise<unknown>;
}

describe('statsig-node-core 0.23.2 network_grpc_websocket adapter against the proxy', () => {
  const up = new FakeUpstream();
  let proxy: ForwardProxy;
  let statsig: CoreStatsig;
  let User: new (a: Record<string, unknown>) => unknown;
  const dcsOverHttp = () => [...proxy.metricsText().matchAll(/^firstlight_proxy_requests_total\{route="dcs",status="\d+"\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);

  before(async () => {
    await up.start();
    proxy = await startProxy({ port: 0, upstream: up.url, pollingIntervalMs: 100, mode: 'grpc-and-http', grpcPort: 0 }, { log: () => {}, warn: () => {} });
    const core = (await import('@statsig/statsig-node-core')) as unknown as { Statsig: new (k: string, o: Record<string, unknown>) => CoreStatsig; StatsigUser: typeof User };
    User = core.StatsigUser;
    statsig = new core.Statsig(FIXTURE_SECRET, {
      specAdaptersConfig: [{ adapterType: 'network_grpc_websocket', specsUrl: `http://127.0.0.1:${proxy.grpcPort}`, initTimeoutMs: 5000 }],
      // where it would poll if the stream failed: the proxy too, so a poll would be counted below
      specsUrl: `${proxy.url}/v2/download_config_specs`,
      specsSyncIntervalMs: 60_000,
      disableAllLogging: true,
      outputLogLevel: 'none',
    });
    const r = await statsig.initialize();
    assert.ok(r.isSuccess, `initialize: ${r.error ?? ''}`);
  });
  after(async () => {
    await statsig.shutdown().catch(() => {});
    await proxy.stop();
    await up.close();
  });

  test('initializes from the stream (v2 specs) and evaluates them', () => {
    assert.equal(statsig.checkGate(new User({ userID: 'user-1', email: 'alice@example.com' }), 'public_gate'), true);
    assert.equal(proxy.health().grpc?.openStreams, 1, 'one open stream');
    assert.ok(up.dcsByVersion.v2 >= 1, 'the proxy fetched v2 upstream for it');
    assert.equal(dcsOverHttp(), 0, 'no HTTP download_config_specs request');
  });

  test('a spec change is pushed to it without polling', async () => {
    const gates = up.base.feature_gates as { name: string; rules: unknown[] }[];
    gates.find((g) => g.name === 'public_gate')!.rules = [];
    const lcut = up.bump();
    await waitFor('public_gate off through the stream', () => !statsig.checkGate(new User({ userID: 'user-1', email: 'alice@example.com' }), 'public_gate'), 10_000);
    assert.equal(dcsOverHttp(), 0, 'still no HTTP download_config_specs request');
    assert.match(proxy.metricsText(), /firstlight_proxy_grpc_pushes_total\{kind="full"\} [1-9]/);
    assert.ok(lcut > 0);
  });
});
