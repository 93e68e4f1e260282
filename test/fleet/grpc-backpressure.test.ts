/**
 * The proxy's streams under clients that misbehave: one that never reads (HTTP/2 flow control holds
 * the proxy's writes) must cost at most two messages however many changes are pushed, must not slow
 * the other streams, and is ended after --grpc-stuck-stream-ms; one that disconnects abruptly in the
 * middle of a large push must free its place and leave the proxy serving.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, constants as h2, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { generateDcs } from '../../bin/generate/generate-dcs';
import { startProxy, type ForwardProxy } from '../../server/proxy';
import { loadProtocol, protocol } from '../../server/proxy/grpc/proto';
import { FakeUpstream, FIXTURE_SECRET } from './support/fake-upstream';
import { collect, proxyClient } from './support/grpc-client';
import { waitFor } from './support/wait';
import './support/no-unhandled';

await loadProtocol();

const STREAM = '/statsig_forward_proxy.StatsigForwardProxy/StreamConfigSpec';

function metric(p: ForwardProxy, name: string): number {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(p.metricsText());
  return m ? Number(m[1]) : 0;
}

/** A raw HTTP/2 StreamConfigSpec call with a 64 KiB window that is never opened further: it does not read. */
function rawStream(addr: string): { session: ClientHttp2Session; req: ClientHttp2Stream; received: () => number; status: () => string | null } {
  const session = connect(`http://${addr}`, { settings: { initialWindowSize: 65_535 } });
  session.on('error', () => {});
  const req = session.request({ [h2.HTTP2_HEADER_METHOD]: 'POST', [h2.HTTP2_HEADER_PATH]: STREAM, 'content-type': 'application/grpc', te: 'trailers' });
  req.on('error', () => {});
  let received = 0;
  let st: string | null = null;
  req.on('trailers', (t) => (st = String(t['grpc-status'])));
  const encode = protocol().proxyService.StreamConfigSpec!.requestSerialize as (m: unknown) => Buffer;
  const body = encode({ sdkKey: FIXTURE_SECRET, version: 1 });
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(body.length, 1);
  req.end(Buffer.concat([frame, body]));
  req.on("data", (d: Buffer) => (received += d.length));
  return { session, req, received: () => received, status: () => st };
}

describe('gRPC streams: a client that never reads, and abrupt disconnects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-grpc-bp-'));
  const fixture = join(dir, 'large.json');
  let up: FakeUpstream;
  let proxy: ForwardProxy;
  let addr: string;

  before(async () => {
    // the large generated project (~590 KB of JSON): far past a 64 KiB window
    writeFileSync(fixture, JSON.stringify(generateDcs({ size: 'large', seed: 'grpc-backpressure' }).dcs));
    up = new FakeUpstream(pathToFileURL(fixture));
    await up.start();
    proxy = await startProxy(
      { port: 0, upstream: up.url, pollingIntervalMs: 50, mode: 'grpc', grpcPort: 0, grpcKeepaliveMs: 100, grpcStuckStreamMs: 8000 },
      { log: () => {}, warn: () => {} },
    );
    addr = `127.0.0.1:${proxy.grpcPort}`;
  });
  after(async () => {
    await proxy.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a never-reading stream holds at most two messages, the others get every change, then it is ended', async () => {
    const stuck = rawStream(addr);
    stuck.req.pause(); // never reads: after 64 KiB the proxy's write cannot finish
    const client = proxyClient(addr);
    const good = collect(client, { sdkKey: FIXTURE_SECRET });
    await waitFor('good stream first message', () => good.messages.length >= 1, 10_000);
    await waitFor('both streams open', () => proxy.health().grpc?.openStreams === 2);
    const changes = 12;
    const lcuts: number[] = [];
    for (let i = 0; i < changes; i++) {
      const lcut = up.bump();
      lcuts.push(lcut);
      await waitFor(`lcut ${lcut} on the reading stream`, () => good.messages.some((m) => m.lastUpdated === String(lcut) && m.spec.length > 100), 10_000);
    }
    // the stuck stream's first message is still in flight; of the 12 pushes only the newest waits, 11 were replaced
    assert.equal(metric(proxy, 'firstlight_proxy_grpc_superseded_total'), changes - 1);
    const full = good.messages.filter((m) => m.spec.length > 100).map((m) => Number(m.lastUpdated));
    assert.deepEqual(full.slice(-changes), lcuts, 'the reading stream got every lcut, in order');
    // ended after --grpc-stuck-stream-ms: no more pushes for it
    await waitFor('stuck stream ended', () => metric(proxy, 'firstlight_proxy_grpc_stuck_streams_closed_total') === 1, 20_000);
    const pushesBefore = proxy.metricsText();
    const lcut = up.bump();
    await waitFor('one more change reaches the reader', () => good.messages.some((m) => m.lastUpdated === String(lcut) && m.spec.length > 100), 10_000);
    assert.equal(metric(proxy, 'firstlight_proxy_grpc_superseded_total'), changes - 1, 'nothing is queued for the ended stream');
    assert.ok(pushesBefore.length > 0);
    stuck.session.destroy();
    good.call.cancel();
    client.close();
    await waitFor('both released', () => proxy.health().grpc?.openStreams === 0, 10_000);
  });

  test('abrupt disconnects in the middle of a large push free their place; the proxy keeps serving', async () => {
    const sessions = Array.from({ length: 5 }, () => rawStream(addr));
    await waitFor('five open', () => proxy.health().grpc?.openStreams === 5, 10_000);
    for (const s of sessions) {
      // read a little of the first (large) message, then the connection is gone mid-message
      s.req.once('data', () => s.session.destroy());
      s.req.resume();
    }
    up.bump();
    await waitFor('all released', () => proxy.health().grpc?.openStreams === 0, 10_000);
    const client = proxyClient(addr);
    const s = collect(client, { sdkKey: FIXTURE_SECRET });
    // served, and it follows the change made while the others were cut off
    await waitFor('a new stream is served the current lcut', () => s.messages.some((m) => Number(m.lastUpdated) === up.time), 10_000);
    s.call.cancel();
    client.close();
  });
});
