/**
 * The proxy's gRPC front-end, spoken to by a raw @grpc/grpc-js client: the wire contract, first
 * message and pushes, keepalives, v1 and v2, PERMISSION_DENIED, the stream limit and the health
 * service, and hostile input (garbage and oversized requests, unknown versions, a client that never
 * reads, abrupt disconnects mid-push).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, constants as h2 } from 'node:http2';
import { after, before, describe, test } from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { startProxy, type ForwardProxy } from '../../server/proxy';
import { FORWARD_PROXY_PROTO, HEALTH_PROTO } from '../../server/proxy/grpc/proto';
import { FakeUpstream, FIXTURE_SECRET, djb2 } from './support/fake-upstream';
import { makePki, type TestPki } from './support/certs';
import { collect, healthCheck, proxyClient, unary } from './support/grpc-client';
import { waitFor } from './support/wait';
import './support/no-unhandled';

const quiet = { log: () => {}, warn: () => {} };

test('the embedded protocol text is the .proto beside it', () => {
  assert.equal(FORWARD_PROXY_PROTO, readFileSync(new URL('../../server/proxy/grpc/statsig_forward_proxy.proto', import.meta.url), 'utf8'));
  assert.equal(HEALTH_PROTO, readFileSync(new URL('../../server/proxy/grpc/health.proto', import.meta.url), 'utf8'));
  // the wire facts Statsig's SDKs depend on
  assert.match(FORWARD_PROXY_PROTO, /package statsig_forward_proxy;/);
  assert.match(FORWARD_PROXY_PROTO, /service StatsigForwardProxy \{/);
  assert.match(FORWARD_PROXY_PROTO, /rpc getConfigSpec \(ConfigSpecRequest\) returns \(ConfigSpecResponse\);/);
  assert.match(FORWARD_PROXY_PROTO, /rpc StreamConfigSpec \(ConfigSpecRequest\) returns \(stream ConfigSpecResponse\);/);
  for (const f of ['string sdkKey = 1;', 'optional uint64 sinceTime = 12;', 'optional apiVersion version = 3;', 'optional string zstdDictId = 4;', 'string spec = 1;', 'uint64 lastUpdated = 2;', 'optional string zstdDictId = 3;']) {
    assert.ok(FORWARD_PROXY_PROTO.includes(f), f);
  }
});

describe('gRPC front-end (--mode grpc-and-http)', () => {
  const up = new FakeUpstream();
  let proxy: ForwardProxy;
  let addr: string;
  let client: ReturnType<typeof proxyClient>;

  before(async () => {
    await up.start();
    up.keys.set('secret-refused', 403);
    proxy = await startProxy(
      { port: 0, upstream: up.url, pollingIntervalMs: 100, mode: 'grpc-and-http', grpcPort: 0, grpcMaxConcurrentStreams: 4, grpcKeepaliveMs: 300 },
      quiet,
    );
    addr = `127.0.0.1:${proxy.grpcPort}`;
    client = proxyClient(addr);
  });
  after(async () => {
    client.close();
    await proxy.stop();
    await up.close();
  });

  test('getConfigSpec answers v1 and v2 specs, and has_updates:false when sinceTime is current', async () => {
    const v1 = await unary(client, { sdkKey: FIXTURE_SECRET });
    const j1 = JSON.parse(v1.spec) as { time: number; hashed_sdk_key_used: string; feature_gates: unknown };
    assert.equal(j1.hashed_sdk_key_used, djb2(FIXTURE_SECRET));
    assert.ok(Array.isArray(j1.feature_gates), 'v1: feature_gates is a list');
    assert.equal(v1.lastUpdated, String(j1.time));
    assert.equal(v1.lastUpdated, String(up.time));
    const v2 = await unary(client, { sdkKey: FIXTURE_SECRET, version: 2 });
    const j2 = JSON.parse(v2.spec) as { feature_gates: unknown };
    assert.ok(!Array.isArray(j2.feature_gates) && typeof j2.feature_gates === 'object', 'v2: feature_gates is a map');
    assert.ok(up.dcsByVersion.v2 >= 1);
    const current = await unary(client, { sdkKey: FIXTURE_SECRET, sinceTime: v1.lastUpdated });
    assert.equal(current.spec, '{"has_updates":false}');
    assert.equal(current.lastUpdated, v1.lastUpdated);
    const older = await unary(client, { sdkKey: FIXTURE_SECRET, sinceTime: String(up.time - 1) });
    assert.equal(JSON.parse(older.spec).time, up.time);
  });

  test('a stream gets the full specs first, each new lcut pushed, and keepalives when quiet', async () => {
    const s = collect(client, { sdkKey: FIXTURE_SECRET, version: 2 });
    await waitFor('first message', () => s.messages.length >= 1);
    const first = s.messages[0]!;
    assert.equal(JSON.parse(first.spec).time, up.time);
    const lcut = up.bump();
    await waitFor('pushed lcut', () => s.messages.some((m) => m.lastUpdated === String(lcut) && m.spec !== '{"has_updates":false}'));
    const pushed = s.messages.find((m) => m.lastUpdated === String(lcut))!;
    assert.equal(JSON.parse(pushed.spec).time, lcut);
    // nothing new: a keepalive with the current lcut
    await waitFor('keepalive', () => s.messages.some((m) => m.spec === '{"has_updates":false}' && m.lastUpdated === String(lcut)), 5000);
    // every lcut reaches the stream once, in order
    const full = s.messages.filter((m) => m.spec !== '{"has_updates":false}').map((m) => Number(m.lastUpdated));
    assert.deepEqual(full, [...new Set(full)].sort((a, b) => a - b));
    assert.match(proxy.metricsText(), /firstlight_proxy_grpc_pushes_total\{kind="keepalive"\} [1-9]/);
    s.call.cancel();
    await waitFor('stream released', () => proxy.health().grpc?.openStreams === 0);
  });

  test('a stream whose sinceTime is current starts with has_updates:false', async () => {
    const s = collect(client, { sdkKey: FIXTURE_SECRET, sinceTime: String(up.time) });
    await waitFor('first message', () => s.messages.length >= 1);
    assert.equal(s.messages[0]!.spec, '{"has_updates":false}');
    assert.equal(s.messages[0]!.lastUpdated, String(up.time));
    s.call.cancel();
  });

  test('a key upstream refuses gets PERMISSION_DENIED, on both methods', async () => {
    await assert.rejects(unary(client, { sdkKey: 'secret-refused' }), (e: ServiceError) => e.code === status.PERMISSION_DENIED);
    const s = collect(client, { sdkKey: 'secret-unknown' });
    await waitFor('stream ended', () => s.error);
    assert.equal(s.error!.code, status.PERMISSION_DENIED);
    assert.deepEqual(s.messages, []);
  });

  test('open streams of a key upstream later refuses end with PERMISSION_DENIED; /health counts pushes and their latency', async () => {
    const KEY = 'secret-revoked-later';
    up.keys.set(KEY, 'ok');
    try {
      const a = collect(client, { sdkKey: KEY });
      const b = collect(client, { sdkKey: KEY, version: 2 });
      const other = collect(client, { sdkKey: FIXTURE_SECRET });
      await waitFor('three streams serving', () => a.messages.length >= 1 && b.messages.length >= 1 && other.messages.length >= 1);
      const before = proxy.health().grpc!;
      up.bump();
      await waitFor('a push on every stream', () => a.messages.length >= 2 && b.messages.length >= 2 && other.messages.length >= 2);
      const pushed = proxy.health().grpc!;
      assert.ok(pushed.pushesFull >= before.pushesFull + 3, `pushes ${before.pushesFull} → ${pushed.pushesFull}`);
      assert.ok(pushed.pushLatencyMs.n > before.pushLatencyMs.n && pushed.pushLatencyMs.p50 !== null && pushed.pushLatencyMs.max! >= pushed.pushLatencyMs.p50);
      up.keys.set(KEY, 403);
      await waitFor('both streams of the revoked key ended', () => a.error && b.error, 5000);
      assert.equal(a.error!.code, status.PERMISSION_DENIED);
      assert.equal(b.error!.code, status.PERMISSION_DENIED);
      assert.equal(proxy.health().grpc!.closedRefused, before.closedRefused + 2);
      // another key's stream goes on and still gets pushes
      const n = other.messages.length;
      up.bump();
      await waitFor('the other key still pushed', () => other.messages.length > n);
      assert.equal(other.error, null);
      // a new stream of the revoked key is refused too
      const late = collect(client, { sdkKey: KEY });
      await waitFor('late stream refused', () => late.error);
      assert.equal(late.error!.code, status.PERMISSION_DENIED);
      assert.match(proxy.metricsText(), /firstlight_proxy_grpc_refused_streams_closed_total 2/);
      other.call.cancel();
    } finally {
      up.keys.delete(KEY);
    }
  });

  test('stream limit + 1 gets RESOURCE_EXHAUSTED; Health/Check reports NOT_SERVING near the limit', async () => {
    await waitFor('no streams left open', () => proxy.health().grpc?.openStreams === 0);
    assert.equal(await healthCheck(addr), 1, 'SERVING');
    assert.equal(await healthCheck(addr, 'statsig_forward_proxy.StatsigForwardProxy'), 1);
    await assert.rejects(healthCheck(addr, 'no.such.Service'), (e: ServiceError) => e.code === status.NOT_FOUND);
    const open = [1, 2, 3, 4].map(() => collect(client, { sdkKey: FIXTURE_SECRET }));
    await waitFor('four streams serving', () => open.every((s) => s.messages.length >= 1));
    assert.equal(proxy.health().grpc?.openStreams, 4);
    const fifth = collect(client, { sdkKey: FIXTURE_SECRET });
    await waitFor('fifth refused', () => fifth.error);
    assert.equal(fifth.error!.code, status.RESOURCE_EXHAUSTED);
    assert.match(fifth.error!.details, /Max concurrent streams reached/);
    assert.equal(await healthCheck(addr), 2, 'NOT_SERVING above 90% of the limit');
    for (const s of open) s.call.cancel();
    await waitFor('released', () => proxy.health().grpc?.openStreams === 0);
    const again = collect(client, { sdkKey: FIXTURE_SECRET });
    await waitFor('a new stream is served', () => again.messages.length >= 1);
    again.call.cancel();
  });

  test('bad requests get clear statuses and the proxy keeps serving', async () => {
    await assert.rejects(unary(client, { sdkKey: FIXTURE_SECRET, version: 7 }), (e: ServiceError) => e.code === status.INVALID_ARGUMENT && /unsupported version 7/.test(e.details));
    await assert.rejects(unary(client, { sdkKey: 'bad key\r\n' }), (e: ServiceError) => e.code === status.INVALID_ARGUMENT);
    await assert.rejects(unary(client, {}), (e: ServiceError) => e.code === status.INVALID_ARGUMENT && /missing sdkKey/.test(e.details));
    // oversized: refused by grpc-js before decoding
    await assert.rejects(unary(client, { sdkKey: 'k'.repeat(64 * 1024) }), (e: ServiceError) => e.code === status.RESOURCE_EXHAUSTED);
    // garbage bytes in a well-framed gRPC message, on a raw HTTP/2 stream
    for (const body of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.from('not protobuf at all'), Buffer.alloc(0)]) {
      const r = await rawCall(addr, '/statsig_forward_proxy.StatsigForwardProxy/StreamConfigSpec', frame(body));
      assert.notEqual(r.grpcStatus, String(status.OK), `garbage ${body.toString('hex')} → ${r.grpcStatus}`);
    }
    // a frame whose length prefix lies (says 1 MB, sends 3 bytes) and then the connection drops
    await rawCall(addr, '/statsig_forward_proxy.StatsigForwardProxy/getConfigSpec', Buffer.concat([Buffer.from([0, 0, 0x10, 0, 0]), Buffer.from('abc')]), true);
    const ok = await unary(client, { sdkKey: FIXTURE_SECRET });
    assert.equal(ok.lastUpdated, String(up.time));
  });

  test('the HTTP routes still serve in grpc-and-http mode', async () => {
    const r = await fetch(`${proxy.url}/v1/download_config_specs/${FIXTURE_SECRET}.json`);
    assert.equal(r.status, 200);
    const h = proxy.health();
    assert.equal(h.grpc?.maxStreams, 4);
  });
});

/** A gRPC length-prefixed message (uncompressed). */
function frame(body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(body.length, 1);
  return Buffer.concat([h, body]);
}

/** One gRPC call over plain node:http2, so the bytes are exactly what the test says. */
function rawCall(addr: string, path: string, payload: Buffer, dropMidway = false): Promise<{ grpcStatus: string | undefined }> {
  return new Promise((resolve) => {
    const session = connect(`http://${addr}`);
    session.on('error', () => {});
    const req = session.request({
      [h2.HTTP2_HEADER_METHOD]: 'POST',
      [h2.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let grpcStatus: string | undefined;
    req.on('response', (h) => {
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
    });
    req.on('trailers', (t) => {
      grpcStatus = String(t['grpc-status']);
    });
    req.on('data', () => {});
    req.on('error', () => {});
    const done = () => {
      session.close();
      resolve({ grpcStatus });
    };
    req.on('close', done);
    if (dropMidway) {
      req.write(payload, () => setTimeout(() => session.destroy(), 50));
      setTimeout(done, 200);
    } else req.end(payload);
  });
}

describe('gRPC front-end over TLS and mTLS', () => {
  const up = new FakeUpstream();
  let pki: TestPki;
  const proxies: ForwardProxy[] = [];

  before(async () => {
    await up.start();
    pki = makePki();
  });
  after(async () => {
    for (const p of proxies) await p.stop();
    await up.close();
    pki.cleanup();
  });

  test('TLS: a client trusting the CA is served; plaintext and a wrong CA are not', async () => {
    const p = await startProxy({ port: 0, upstream: up.url, mode: 'grpc', grpcPort: 0, grpcTlsCertPath: pki.serverCert, grpcTlsKeyPath: pki.serverKey }, quiet);
    proxies.push(p);
    assert.equal(p.health().grpc?.tls, 'tls');
    const addr = `127.0.0.1:${p.grpcPort}`;
    const good = proxyClient(addr, credentials.createSsl(readFileSync(pki.caCert)));
    assert.equal((await unary(good, { sdkKey: FIXTURE_SECRET })).lastUpdated, String(up.time));
    good.close();
    for (const creds of [credentials.createInsecure(), credentials.createSsl(readFileSync(pki.otherCaCert))]) {
      const bad = proxyClient(addr, creds);
      await assert.rejects(unary(bad, { sdkKey: FIXTURE_SECRET }), (e: ServiceError) => e.code === status.UNAVAILABLE);
      bad.close();
    }
    // --mode grpc: the HTTP port only reports
    assert.equal((await fetch(`${p.url}/v1/download_config_specs/${FIXTURE_SECRET}.json`)).status, 404);
    assert.equal((await fetch(`${p.url}/health`)).status, 200);
  });

  test('mTLS: only a client with a certificate from the client CA is served', async () => {
    const p = await startProxy(
      { port: 0, upstream: up.url, mode: 'grpc', grpcPort: 0, grpcTlsCertPath: pki.serverCert, grpcTlsKeyPath: pki.serverKey, grpcTlsClientCaPath: pki.caCert },
      quiet,
    );
    proxies.push(p);
    assert.equal(p.health().grpc?.tls, 'mtls');
    const addr = `127.0.0.1:${p.grpcPort}`;
    const ca = readFileSync(pki.caCert);
    const good = proxyClient(addr, credentials.createSsl(ca, readFileSync(pki.clientKey), readFileSync(pki.clientCert)));
    const s = collect(good, { sdkKey: FIXTURE_SECRET });
    await waitFor('first message over mTLS', () => s.messages.length >= 1);
    s.call.cancel();
    good.close();
    const noCert = proxyClient(addr, credentials.createSsl(ca));
    await assert.rejects(unary(noCert, { sdkKey: FIXTURE_SECRET }), (e: ServiceError) => e.code === status.UNAVAILABLE);
    noCert.close();
  });

  test('bad TLS options are refused with a clear error and no file contents', async () => {
    await assert.rejects(startProxy({ port: 0, mode: 'grpc', grpcPort: 0, grpcTlsCertPath: pki.serverCert }, quiet), /TLS needs both grpcTlsCertPath and grpcTlsKeyPath/);
    await assert.rejects(startProxy({ port: 0, mode: 'grpc', grpcPort: 0, grpcTlsClientCaPath: pki.caCert }, quiet), /mTLS needs a server certificate/);
    await assert.rejects(
      startProxy({ port: 0, mode: 'grpc', grpcPort: 0, grpcTlsCertPath: `${pki.dir}/missing.crt`, grpcTlsKeyPath: pki.serverKey }, quiet),
      (e: Error) => /cannot read the gRPC TLS certificate \(ENOENT\)/.test(e.message),
    );
    // a key file given as the certificate: grpc-js refuses it, the message carries no PEM
    await assert.rejects(
      startProxy({ port: 0, mode: 'grpc', grpcPort: 0, grpcTlsCertPath: pki.serverKey, grpcTlsKeyPath: pki.serverKey }, quiet),
      (e: Error) => !/BEGIN/.test(e.message),
    );
  });
});
