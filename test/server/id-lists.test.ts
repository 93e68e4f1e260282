// ID-list sync over real HTTP: manifest, incremental Range reads, resets, removals and bad ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdListSync } from '../../server/idlists/id-list-sync';
import { HttpClient } from '../../server/net/http-client';
import { normalizeOptions } from '../../server/options';
import { silentLogger } from '../../server/logger';
import { FakeStatsig, SECRET } from './support/fake-statsig';

async function setup() {
  const fake = await new FakeStatsig().start();
  const client = new HttpClient(SECRET, normalizeOptions(SECRET, { http: { maxRetries: 0 } }).http);
  let lists: ReadonlyMap<string, ReadonlySet<string>> = new Map();
  const sync = new IdListSync({ client, url: `${fake.api}/get_id_lists`, intervalMs: 60_000, logger: silentLogger, onLists: (l) => (lists = l) });
  return {
    fake,
    sync,
    lists: () => lists,
    async close() {
      await sync.stop();
      await client.close();
      await fake.close();
    },
  };
}

test('reads lists incrementally with Range, applies removals, resets on a new file ID and drops lists no longer listed', async () => {
  const t = await setup();
  try {
    t.fake.idListFiles.set('blocked', { fileID: 'f1', creationTime: 1, content: '+aaaaaaaa\n+bbbbbbbb\n' });
    assert.equal(await t.sync.syncNow(), true);
    assert.deepEqual([...t.lists().get('blocked')!], ['aaaaaaaa', 'bbbbbbbb']);

    t.fake.idListFiles.get('blocked')!.content += '-aaaaaaaa\r\n+cccccccc\n';
    assert.equal(await t.sync.syncNow(), true);
    assert.deepEqual([...t.lists().get('blocked')!].sort(), ['bbbbbbbb', 'cccccccc']);
    const reads = t.fake.requests.filter((r) => r.path === '/idlists/blocked').map((r) => r.headers.range);
    assert.deepEqual(reads, ['bytes=0-', 'bytes=20-']);
    assert.equal(t.fake.requests.find((r) => r.path === '/idlists/blocked')!.headers['statsig-api-key'], undefined, 'no secret to the list CDN');

    t.fake.idListFiles.set('blocked', { fileID: 'f2', creationTime: 2, content: '+dddddddd\n' });
    await t.sync.syncNow();
    assert.deepEqual([...t.lists().get('blocked')!], ['dddddddd'], 'a new file starts over');

    t.fake.idListFiles.set('blocked', { fileID: 'f0', creationTime: 1, content: '+zzzzzzzz\n+yyyyyyyy\n' });
    await t.sync.syncNow();
    assert.deepEqual([...t.lists().get('blocked')!], ['dddddddd'], 'an older file is ignored');

    t.fake.idListFiles.delete('blocked');
    await t.sync.syncNow();
    assert.equal(t.lists().has('blocked'), false);
  } finally {
    await t.close();
  }
});

test('a bad range drops the list, counts it, and the next sync reads it from the start', async () => {
  const t = await setup();
  try {
    t.fake.idListFiles.set('l', { fileID: 'f1', creationTime: 1, content: '+aaaaaaaa\n' });
    await t.sync.syncNow();
    const file = t.fake.idListFiles.get('l')!;
    file.content += '+bbbbbbbb\n';
    file.badRange = true;
    assert.equal(await t.sync.syncNow(), false);
    assert.equal(t.lists().has('l'), false);
    assert.equal(t.sync.health().badRanges, 1);
    assert.match(t.sync.health().lastError!.message, /did not start with/);
    file.badRange = false;
    assert.equal(await t.sync.syncNow(), true);
    assert.deepEqual([...t.lists().get('l')!], ['aaaaaaaa', 'bbbbbbbb']);
    assert.equal(t.fake.requests.filter((r) => r.path === '/idlists/l').at(-1)!.headers.range, 'bytes=0-');
  } finally {
    await t.close();
  }
});

test('a 206 whose Content-Range starts elsewhere than asked is a bad read: the list is read again from the start, not appended twice', async () => {
  const t = await setup();
  try {
    t.fake.idListFiles.set('l', { fileID: 'f1', creationTime: 1, content: '+aaaaaaaa\n' });
    await t.sync.syncNow();
    const file = t.fake.idListFiles.get('l')!;
    file.content += '-aaaaaaaa\n+bbbbbbbb\n';
    file.wholeAs206 = true;
    assert.equal(await t.sync.syncNow(), false);
    assert.equal(t.lists().has('l'), false, 'the bytes from 0 were not taken as the bytes from 10');
    assert.equal(t.sync.health().badRanges, 1);
    assert.match(t.sync.health().lastError!.message, /answered range bytes 0-29\/30/);
    assert.equal(await t.sync.syncNow(), true, 'from byte 0 the same answer is right');
    assert.deepEqual([...t.lists().get('l')!], ['bbbbbbbb']);
  } finally {
    await t.close();
  }
});

test('a failing manifest keeps the lists in force and is visible in health', async () => {
  const t = await setup();
  try {
    t.fake.idListFiles.set('l', { fileID: 'f1', creationTime: 1, content: '+aaaaaaaa\n' });
    await t.sync.syncNow();
    await t.fake.close();
    assert.equal(await t.sync.syncNow(), false);
    assert.deepEqual([...t.lists().get('l')!], ['aaaaaaaa']);
    assert.equal(t.sync.health().failures, 1);
  } finally {
    await t.close().catch(() => {});
  }
});

test('a manifest that is not an object (null, [], a string) keeps every list and counts as a failure', async () => {
  const t = await setup();
  try {
    t.fake.idListFiles.set('l', { fileID: 'f1', creationTime: 1, content: '+aaaaaaaa\n' });
    assert.equal(await t.sync.syncNow(), true);
    let failures = t.sync.health().failures;
    for (const body of ['null', '[]', '"x"', '42']) {
      t.fake.manifestBody = body;
      assert.equal(await t.sync.syncNow(), false, body);
      assert.deepEqual([...t.lists().get('l')!], ['aaaaaaaa'], body);
      assert.equal(t.sync.health().failures, ++failures, body);
    }
    // an object without entries does mean "no lists"
    t.fake.manifestBody = '{}';
    assert.equal(await t.sync.syncNow(), true);
    assert.equal(t.lists().has('l'), false);
  } finally {
    await t.close();
  }
});

test('stop() while a timer-started sync is in flight schedules nothing more', async () => {
  const fake = await new FakeStatsig().start();
  const client = new HttpClient(SECRET, normalizeOptions(SECRET, { http: { maxRetries: 0 } }).http);
  const sync = new IdListSync({ client, url: `${fake.api}/get_id_lists`, intervalMs: 10, logger: silentLogger, onLists: () => {} });
  // count the timer's calls, including those that return at once because the sync is stopped
  let calls = 0;
  const syncNow = sync.syncNow.bind(sync);
  sync.syncNow = () => {
    calls++;
    return syncNow();
  };
  try {
    sync.start();
    // stop once the timer has started a few syncs, while one may be in flight
    while (sync.health().syncs < 3) await new Promise((r) => setTimeout(r, 5));
    await sync.stop();
    await new Promise((r) => setTimeout(r, 50));
    const after = calls;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(calls, after, 'the timer keeps firing after stop()');
  } finally {
    await client.close();
    await fake.close();
  }
});
