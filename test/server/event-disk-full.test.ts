// A disk that fills up under the event log and the spool, on a real 2 MiB tmpfs: the kernel answers a
// write that does not fit with a short write (part of the bytes, no error) and only the next write with
// ENOSPC. Nothing accepted may be lost, written twice or left as a torn line once space is freed.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SinkChannel } from '../../server/events/sink-channel';
import { JsonlFileSink } from '../../server/events/sinks/jsonl-file-sink';
import { FileSpool } from '../../server/events/spool';
import { writeAll, type WritableHandle } from '../../server/events/write-all';
import { silentLogger } from '../../server/logger';
import type { StatsigEvent } from '../../server/events/event';
import { waitFor } from './support/wait';

function event(i: number, padBytes = 300): StatsigEvent {
  return { eventName: 'custom', user: { userID: `u${i % 7}`, privateAttributes: null }, value: i, metadata: { pad: 'p'.repeat(padBytes) }, time: 1 };
}

/** A 2 MiB tmpfs for this test, unmounted afterwards; null when this process may not mount. */
function smallDisk(t: TestContext): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'fl-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  t.after(() => {
    spawnSync('umount', [dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test('JSONL sink on a disk that fills up and is then freed: 3,100 events, 0 lost, 0 written twice, 0 torn lines', async (t) => {
  const disk = smallDisk(t);
  if (!disk) return t.skip('needs root to mount a tmpfs (covered below by the short-write unit test)');
  // ballast leaves room for about half the events, so the disk fills in the middle of a batch
  const ballast = join(disk, 'ballast');
  writeFileSync(ballast, Buffer.alloc(1024 * 1024));
  const path = join(disk, 'log', 'events.jsonl');
  const sink = new JsonlFileSink(path);
  const ch = new SinkChannel(sink, {
    bounds: { maxEvents: 10_000, maxBytes: 16 * 1024 * 1024 },
    maxBatchSize: 100,
    backoff: { baseMs: 2, capMs: 20 },
    logger: silentLogger,
  });
  const total = 3_100;
  for (let i = 0; i < total; i += 100) {
    const a = ch.offer(Array.from({ length: 100 }, (_, k) => event(i + k)));
    assert.equal(a.ok, true);
  }
  await waitFor(() => ch.counters.failedAttempts >= 3, 'the disk to fill up');
  assert.equal(ch.health().ok, false, 'health degraded while the log cannot be written');
  rmSync(ballast);
  await waitFor(() => ch.health().queuedEvents === 0, 'delivery after space is freed');
  await ch.close();

  const lines = readFileSync(path, 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'the file ends with a newline');
  const torn = lines.filter((l) => {
    try {
      JSON.parse(l);
      return false;
    } catch {
      return true;
    }
  });
  const values = lines.filter((l) => !torn.includes(l)).map((l) => (JSON.parse(l) as { value: number }).value);
  const seen = new Map<number, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  const lost = Array.from({ length: total }, (_, i) => i).filter((i) => !seen.has(i)).length;
  const dup = [...seen.values()].filter((n) => n > 1).length;
  console.log(`disk full (JSONL): ${total} accepted, ${seen.size} in the log, lost ${lost}, duplicated ${dup}, torn lines ${torn.length}, failed writes ${ch.counters.failedAttempts}`);
  assert.equal(torn.length, 0, 'no torn line');
  assert.equal(lost, 0, 'no event lost');
  assert.equal(dup, 0, 'no event written twice');
  assert.deepEqual(values, [...values].sort((a, b) => a - b), 'in order');
});

test('spool on a disk that fills up: every append that resolved is read back after a reopen, a failed one left no trace', async (t) => {
  const disk = smallDisk(t);
  if (!disk) return t.skip('needs root to mount a tmpfs (covered below by the short-write unit test)');
  const ballast = join(disk, 'ballast');
  writeFileSync(ballast, Buffer.alloc(1024 * 1024));
  const path = join(disk, 'sink.spool');
  const spool = new FileSpool(path, 0);
  await spool.open();
  const appended: string[] = [];
  let failures = 0;
  for (let b = 0; b < 40; b++) {
    const batch = { id: `b${b}`, events: Array.from({ length: 50 }, (_, k) => event(b * 50 + k, 600)) };
    try {
      await spool.append(batch);
      appended.push(batch.id);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
      failures++;
      if (failures === 3) rmSync(ballast); // space comes back; later appends succeed again
    }
  }
  await spool.close();
  assert.ok(failures >= 1, 'the disk filled up');
  const again = new FileSpool(path, 0);
  await again.open();
  const read: string[] = [];
  for (let rec = await again.peek(); rec; rec = await again.peek()) {
    assert.equal(rec.events.length, 50);
    read.push(rec.id);
    await again.ack(rec.id);
  }
  await again.close();
  console.log(`disk full (spool): ${appended.length} appended, ${failures} refused with ENOSPC, ${read.length} read back, repaired ${again.stats().repairedBytes} bytes`);
  assert.deepEqual(read, appended);
  assert.equal(again.stats().repairedBytes, 0, 'nothing torn to repair');
});

test('writeAll: a short write is continued where it stopped, and an error after a short write surfaces', async () => {
  const written: Buffer[] = [];
  const positions: (number | null)[] = [];
  let calls = 0;
  const fh: WritableHandle = {
    async write(buf: Uint8Array, offset: number, length: number, position: number | null) {
      calls++;
      positions.push(position);
      const n = Math.min(length, 7); // at most 7 bytes per call, like a filling disk
      written.push(Buffer.from(buf.subarray(offset, offset + n)));
      return { bytesWritten: n };
    },
  };
  await writeAll(fh, Buffer.from('0123456789abcdefghij'), null);
  assert.equal(Buffer.concat(written).toString(), '0123456789abcdefghij');
  assert.equal(calls, 3);
  positions.length = 0;
  written.length = 0;
  await writeAll(fh, Buffer.from('0123456789'), 100);
  assert.deepEqual(positions, [100, 107]);

  let n = 0;
  const failing: WritableHandle = {
    async write(_b: Uint8Array, _o: number, length: number) {
      if (n++ === 0) return { bytesWritten: Math.floor(length / 2) };
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    },
  };
  await assert.rejects(writeAll(failing, Buffer.alloc(10), null), { code: 'ENOSPC' });
  const zero: WritableHandle = { write: async () => ({ bytesWritten: 0 }) };
  await assert.rejects(writeAll(zero, Buffer.alloc(10), null), { code: 'FL_ERR_SHORT_WRITE' });
});
