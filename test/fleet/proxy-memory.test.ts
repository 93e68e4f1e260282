/**
 * The log_event bound holds in memory, in a real proxy process: with upstream hanging, the proxy
 * holds at most --log-event-max-queue-bytes of events (queued, in flight and retrying alike) and
 * refuses the rest with 503 + Retry-After; its heap is capped well below what the offered events
 * would take, so a bound that leaked would crash it; every event that got 202 reaches upstream once
 * it answers again (0 lost).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { FakeUpstream, FIXTURE_SECRET } from './support/fake-upstream';
import { startProxyChild, type ProxyChild } from './support/fleet';
import { waitFor } from './support/wait';
import './support/no-unhandled';

const QUEUE_BYTES = 16 * 1024 * 1024;
const HEAP_MB = 128;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

describe('forward proxy memory with upstream hanging', () => {
  const up = new FakeUpstream();
  let proxy: ProxyChild;

  before(async () => {
    await up.start();
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${HEAP_MB}`.trim();
    try {
      proxy = await startProxyChild('proxy', [
        '--upstream', up.url, '--log-event-max-queue-bytes', String(QUEUE_BYTES), '--upstream-timeout-ms', '5000',
        '--log-event-retry-backoff-ms', '200', '--log-event-retry-backoff-max-ms', '1000', '--log-event-flush-interval-ms', '50',
      ]);
    } finally {
      process.env.NODE_OPTIONS = process.env.NODE_OPTIONS.replace(` --max-old-space-size=${HEAP_MB}`, '').replace(`--max-old-space-size=${HEAP_MB}`, '');
    }
  });
  after(async () => {
    proxy?.proc.kill('SIGTERM');
    await up.close();
  });

  test('RSS stays bounded, the excess gets 503, and every accepted event arrives once upstream recovers', async () => {
    const pid = proxy.proc.pid!;
    up.logEventHang = true;
    const event = (r: number, i: number) => ({ eventName: 'held', value: `${r}-${i}`, user: { userID: `u${i}` }, time: 1735689600000, metadata: { pad: 'p'.repeat(100) } });
    let accepted = 0;
    let refused = 0;
    const startRss = rssMb(pid);
    let peakRss = startRss;
    for (let r = 0; r < 300; r++) {
      const body = JSON.stringify({ events: Array.from({ length: 1000 }, (_, i) => event(r, i)), statsigMetadata: { sdkType: 'test' } });
      const res = await request(`${proxy.url}/v1/log_event`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'statsig-api-key': FIXTURE_SECRET } });
      await res.body.dump();
      if (res.statusCode === 202) accepted += 1000;
      else {
        assert.equal(res.statusCode, 503);
        assert.ok(Number(res.headers['retry-after']) >= 1);
        refused += 1000;
      }
      if (r % 20 === 0) peakRss = Math.max(peakRss, rssMb(pid));
    }
    peakRss = Math.max(peakRss, rssMb(pid));
    const offeredMb = (300 * 1000 * 200) / 1024 / 1024;
    console.log(`# offered ${300_000} events (~${offeredMb.toFixed(0)} MB), accepted ${accepted}, refused ${refused}; RSS ${startRss.toFixed(0)} -> peak ${peakRss.toFixed(0)} MB (heap cap ${HEAP_MB} MB, queue bound ${QUEUE_BYTES / 1048576} MB)`);
    assert.ok(refused > 0 && accepted > 0, `accepted ${accepted}, refused ${refused}`);
    assert.ok(accepted * 150 <= QUEUE_BYTES * 1.1, 'no more accepted than the byte bound allows');
    assert.ok(peakRss < startRss + 3 * QUEUE_BYTES / 1048576 + 64, `RSS grew ${(peakRss - startRss).toFixed(0)} MB`);
    const h = await proxy.health();
    assert.ok(h.logEvents.queued <= accepted);

    up.logEventHang = false;
    // done when the proxy holds nothing more (it retries until upstream takes every batch); then count
    await waitFor('the proxy delivered everything it held', async () => (await proxy.health()).logEvents.queued === 0, 60_000, 100);
    const got = up.logEventBatches.flatMap((b) => b.events).filter((e) => (e as { eventName?: string }).eventName === 'held');
    const distinct = new Set(got.map((e) => (e as { value: string }).value)).size;
    console.log(`# delivered ${distinct} distinct of ${accepted} accepted; ${got.length - distinct} repeated by retries after a timed-out answer`);
    assert.equal(distinct, accepted, 'every accepted event upstream: 0 lost');
    // a batch upstream took is sent again only when its answer outlasts the timeout; on loopback a healthy
    // answer takes milliseconds, so 5 s never expires on one and a repeat means the proxy sent a batch twice
    assert.equal(got.length, distinct, 'no accepted event delivered twice: 0 repeated');
    const after = (await proxy.health()).logEvents;
    assert.equal(after.sent, accepted, 'the proxy counts each accepted event sent once');
    assert.equal(after.dropped, refused, 'dropped counts only the refusals at the door');
  });
});
