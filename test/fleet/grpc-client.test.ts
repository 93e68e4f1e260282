/**
 * The Firstlight SDK streaming specs from the forward proxy (proxyConfigs.download_config_specs with
 * protocol 'grpc_websocket'): plain, TLS and mTLS (certificates made by openssl), a change pushed
 * with no polling, the proxy killed (the SDK keeps its specs, fails over to polling after the
 * threshold) and back (the SDK returns to the stream and polling stops), bad and older pushes refused
 * by the spec store, and bad options refused with clear errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import { InvalidOptionError } from '../../lib/errors';
import { Statsig } from '../../server/statsig';
import { startProxy, type ForwardProxy } from '../../server/proxy';
import { loadProtocol, protocol } from '../../server/proxy/grpc/proto';
import { makePki, type TestPki } from './support/certs';
import { FakeUpstream, FIXTURE_SECRET, djb2 } from './support/fake-upstream';
import { waitFor } from './support/wait';
import './support/no-unhandled';

await loadProtocol();

const quiet = { log: () => {}, warn: () => {} };
const silent = { warn() {}, error() {} };
const alice = { userID: 'user-1', email: 'alice@example.com' };

function streaming(address: string, extra: Record<string, unknown> = {}, fallback?: string) {
  return new Statsig(FIXTURE_SECRET, {
    proxyConfigs: {
      download_config_specs: { protocol: 'grpc_websocket', proxyAddress: address, pushWorkerFailoverThreshold: 2, retryBackoffBaseMs: 50, retryBackoffMultiplier: 2, maxRetryAttempt: 3, ...extra },
    },
    // where polling goes while failed over (Statsig's CDN in production): a second fake upstream, so its requests are the SDK's polls
    ...(fallback ? { api: fallback } : {}),
    rulesetsSyncIntervalMs: 200,
    disableAllLogging: true,
    logger: silent,
  });
}

function turnOff(up: FakeUpstream, gate: string): number {
  (up.base.feature_gates as { name: string; rules: unknown[] }[]).find((g) => g.name === gate)!.rules = [];
  return up.bump();
}

describe('Firstlight SDK streaming from the proxy (plain)', () => {
  const up = new FakeUpstream();
  const statsigCdn = new FakeUpstream();
  let proxy: ForwardProxy;
  let port: number;
  let statsig: Statsig;

  before(async () => {
    await up.start();
    await statsigCdn.start();
    proxy = await startProxy({ port: 0, upstream: up.url, pollingIntervalMs: 100, mode: 'grpc', grpcPort: 0 }, quiet);
    port = proxy.grpcPort!;
    statsig = streaming(`127.0.0.1:${port}`, {}, statsigCdn.url);
    const r = await statsig.initialize();
    assert.ok(r.success, r.error ?? '');
    assert.equal(r.source, 'network');
  });
  after(async () => {
    await statsig.shutdown();
    await proxy.stop();
    await up.close();
    await statsigCdn.close();
  });

  test('initializes from the proxy, streams, and sees a change with no polling', async () => {
    assert.equal(statsig.checkGate(alice, 'public_gate'), true);
    await waitFor('stream open', () => statsig.health().counters.specStream?.state === 'streaming');
    assert.equal(proxy.health().grpc?.openStreams, 1);
    const lcut = turnOff(up, 'public_gate');
    await waitFor('change pushed', () => statsig.checkGate(alice, 'public_gate') === false, 10_000);
    assert.equal(statsig.health().lcut, lcut);
    assert.equal(statsigCdn.dcsRequests, 0, 'no polling while the stream is up');
  });

  test('proxy killed: keeps its specs, fails over to polling; proxy back: returns to the stream', async () => {
    const lcut = statsig.health().lcut;
    await proxy.stop();
    await waitFor('failed over', () => statsig.health().counters.specStream?.state === 'failedOver', 10_000);
    assert.equal(statsig.health().lcut, lcut, 'kept the specs in force');
    assert.equal(statsig.checkGate(alice, 'public_gate'), false);
    assert.equal(statsig.health().counters.specStream?.failovers, 1);
    // polling the fallback now, and it carries changes
    await waitFor('polling the fallback', () => statsigCdn.dcsRequests >= 2, 10_000);
    const polled = statsigCdn.bump(5000);
    await waitFor('a change by polling', () => statsig.health().lcut === polled, 10_000);
    // a proxy is back on the same port
    up.time = polled;
    proxy = await startProxy({ port: 0, upstream: up.url, pollingIntervalMs: 100, mode: 'grpc', grpcPort: port }, quiet);
    await waitFor('back on the stream', () => statsig.health().counters.specStream?.state === 'streaming', 15_000);
    const seen = statsigCdn.dcsRequests;
    const pushed = up.bump();
    await waitFor('pushed again', () => statsig.health().lcut === pushed, 10_000);
    await new Promise((r) => setTimeout(r, 600)); // three sync intervals: no poll may happen while streaming
    assert.equal(statsigCdn.dcsRequests, seen, 'polling stopped');
  });
});

describe('Firstlight SDK streaming over TLS and mTLS', () => {
  const up = new FakeUpstream();
  let pki: TestPki;
  const proxies: ForwardProxy[] = [];
  const instances: Statsig[] = [];

  before(async () => {
    await up.start();
    pki = makePki();
  });
  after(async () => {
    for (const s of instances) await s.shutdown();
    for (const p of proxies) await p.stop();
    await up.close();
    pki.cleanup();
  });

  test('tls: streams when the CA is trusted, not with another CA', async () => {
    const p = await startProxy({ port: 0, upstream: up.url, pollingIntervalMs: 100, mode: 'grpc', grpcPort: 0, grpcTlsCertPath: pki.serverCert, grpcTlsKeyPath: pki.serverKey }, quiet);
    proxies.push(p);
    const good = streaming(`127.0.0.1:${p.grpcPort}`, { authenticationMode: 'tls', tlsCaCertPath: pki.caCert }, up.url);
    instances.push(good);
    assert.ok((await good.initialize()).success);
    await waitFor('streaming over TLS', () => good.health().counters.specStream?.state === 'streaming');
    const lcut = up.bump();
    await waitFor('pushed over TLS', () => good.health().lcut === lcut, 10_000);
    const bad = new Statsig(FIXTURE_SECRET, {
      proxyConfigs: { download_config_specs: { protocol: 'grpc_websocket', proxyAddress: `127.0.0.1:${p.grpcPort}`, authenticationMode: 'tls', tlsCaCertPath: pki.otherCaCert } },
      initializeSources: ['network'],
      configSyncSources: [],
      initTimeoutMs: 0,
      disableAllLogging: true,
      logger: silent,
    });
    instances.push(bad);
    const r = await bad.initialize();
    assert.equal(r.success, false);
  });

  test('mtls: streams with the client certificate', async () => {
    const p = await startProxy(
      { port: 0, upstream: up.url, pollingIntervalMs: 100, mode: 'grpc', grpcPort: 0, grpcTlsCertPath: pki.serverCert, grpcTlsKeyPath: pki.serverKey, grpcTlsClientCaPath: pki.caCert },
      quiet,
    );
    proxies.push(p);
    const s = streaming(
      `127.0.0.1:${p.grpcPort}`,
      { authenticationMode: 'mtls', tlsCaCertPath: pki.caCert, tlsClientCertPath: pki.clientCert, tlsClientKeyPath: pki.clientKey },
      up.url,
    );
    instances.push(s);
    assert.ok((await s.initialize()).success);
    await waitFor('streaming over mTLS', () => s.health().counters.specStream?.state === 'streaming');
    const lcut = up.bump();
    await waitFor('pushed over mTLS', () => s.health().lcut === lcut, 10_000);
    assert.equal(p.health().grpc?.tls, 'mtls');
  });
});

describe('pushed payloads go through the spec store', () => {
  // a scripted proxy: the SDK's upstream here is the proxy, so this is the upstream double
  const up = new FakeUpstream();
  let server: Server;
  let port: number;
  let stream: ServerWritableStream<unknown, unknown> | null = null;
  let statsig: Statsig;
  const base = () => JSON.parse(up.payloadFor(FIXTURE_SECRET)) as Record<string, unknown>;
  const push = (spec: string, lastUpdated: number) => stream!.write({ spec, lastUpdated: String(lastUpdated) });

  before(async () => {
    server = new Server();
    const { proxyService } = protocol();
    server.addService(proxyService, {
      getConfigSpec: (_call: unknown, cb: (e: null, r: unknown) => void) => cb(null, { spec: up.payloadFor(FIXTURE_SECRET), lastUpdated: String(up.time) }),
      StreamConfigSpec: (call: ServerWritableStream<unknown, unknown>) => {
        stream = call;
      },
    });
    port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    statsig = streaming(`127.0.0.1:${port}`);
    assert.ok((await statsig.initialize()).success);
    await waitFor('stream open', () => stream);
  });
  after(async () => {
    await statsig.shutdown();
    server.forceShutdown();
  });

  test('garbage, another key, an older lcut and a broken payload never replace good specs; a newer one does', async () => {
    const t = up.time;
    assert.equal(statsig.health().lcut, t);
    const offSpecs = { ...base(), time: t + 10, feature_gates: (base().feature_gates as { name: string; rules: unknown[] }[]).map((g) => (g.name === 'public_gate' ? { ...g, rules: [] } : g)) };
    push('{"truncated": ', t + 1);
    push(JSON.stringify({ ...offSpecs, hashed_sdk_key_used: djb2('secret-someone-else') }), t + 2);
    push(JSON.stringify({ ...offSpecs, time: t - 5 }), t + 3); // lastUpdated says newer, the payload is older
    push(JSON.stringify({ ...offSpecs, feature_gates: 'not a list' }), t + 4);
    push('{"has_updates":false}', t + 5);
    await waitFor('all five judged', () => {
      const c = statsig.health().counters.specs.sources.network;
      return c && c.rejected + c.stale >= 4;
    }, 10_000);
    assert.equal(statsig.health().lcut, t, 'the good specs stay');
    assert.equal(statsig.checkGate(alice, 'public_gate'), true);
    push(JSON.stringify(offSpecs), t + 10);
    await waitFor('the newer one applies', () => statsig.health().lcut === t + 10, 10_000);
    assert.equal(statsig.checkGate(alice, 'public_gate'), false);
  });
});

test('bad proxyConfigs are refused with clear errors', () => {
  const make = (c: unknown) => () => new Statsig(FIXTURE_SECRET, { proxyConfigs: c as never, disableAllLogging: true, logger: silent });
  const cases: [unknown, RegExp][] = [
    [{ download_config_specs: { protocol: 'grpc', proxyAddress: 'h:1' } }, /protocol.*'http' or 'grpc_websocket'/],
    [{ download_config_specs: { protocol: 'grpc_websocket' } }, /proxyAddress/],
    [{ download_config_specs: { protocol: 'grpc_websocket', proxyAddress: 'no port' } }, /host:port/],
    [{ download_config_specs: { protocol: 'grpc_websocket', proxyAddress: 'h:1', authenticationMode: 'mtls', tlsCaCertPath: '/x' } }, /needs tlsClientCertPath and tlsClientKeyPath/],
    [{ download_config_specs: { protocol: 'grpc_websocket', proxyAddress: 'h:1', tlsCaCertPath: '/x' } }, /TLS paths need authenticationMode/],
    [{ download_config_specs: { protocol: 'grpc_websocket', proxyAddress: 'h:1', pushWorkerFailoverThreshold: 0 } }, /pushWorkerFailoverThreshold/],
    [{ download_config_specs: { protocol: 'http', proxyAddress: 'h:1' } }, /http\(s\) URL/],
    [{ log_event: { protocol: 'http', proxyAddress: 'http://x' } }, /unknown option.*log_event/],
  ];
  for (const [c, re] of cases) assert.throws(make(c), (e: Error) => e instanceof InvalidOptionError && re.test(e.message), JSON.stringify(c));
  // 'http' is apiForDownloadConfigSpecs by another name
  assert.throws(
    () => new Statsig(FIXTURE_SECRET, { apiForDownloadConfigSpecs: 'http://a/v1', proxyConfigs: { download_config_specs: { protocol: 'http', proxyAddress: 'http://b/v1' } }, logger: silent }),
    /not both/,
  );
});

test('an unreadable CA file fails over with the reason, never the contents', async () => {
  const s = new Statsig(FIXTURE_SECRET, {
    proxyConfigs: { download_config_specs: { protocol: 'grpc_websocket', proxyAddress: '127.0.0.1:1', authenticationMode: 'tls', tlsCaCertPath: '/nonexistent/ca.pem', pushWorkerFailoverThreshold: 1, retryBackoffBaseMs: 50 } },
    initializeSources: ['network'],
    initTimeoutMs: 0,
    disableAllLogging: true,
    logger: silent,
  });
  const r = await s.initialize();
  assert.equal(r.success, false);
  assert.match(r.error ?? '', /tlsCaCertPath cannot be read \(ENOENT\)/);
  await s.shutdown();
});
