// The embedded-specs path: a specs file (and its ID lists) loaded at start-up and reloaded when it
// changes; a broken edit never replaces the specs in force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Statsig } from '../../server/statsig';
import { silentLogger } from '../../server/logger';
import { EXAMPLE_DCS, EXAMPLE_TIME, nextDcs } from './support/fake-statsig';
import { waitFor } from './support/wait';

const u1 = { userID: 'user-1' };

test('a specs file reloads on change; a broken edit keeps the specs in force and shows in health', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-specs-'));
  const file = join(dir, 'dcs.json');
  const lists = join(dir, 'idlists.json');
  writeFileSync(file, EXAMPLE_DCS);
  writeFileSync(lists, JSON.stringify({ blocked_users_list: ['blocked-user-1'] }));
  const updates: number[] = [];
  const statsig = new Statsig('', {
    specsFile: file,
    idListsFile: lists,
    rulesetsSyncIntervalMs: 100,
    eventSinks: [],
    onRulesUpdated: (u) => updates.push(u.lcut),
    logger: silentLogger,
  });
  try {
    const init = await statsig.initialize();
    assert.equal(init.source, 'file');
    assert.equal(statsig.checkGate(u1, 'public_gate'), true);
    assert.equal(statsig.checkGate({ userID: 'blocked-user-1' }, 'segment:blocked_users'), true, 'ID lists from the file');

    writeFileSync(file, EXAMPLE_DCS.slice(0, 500));
    await waitFor(() => statsig.health().lastError?.code === 'FL_ERR_SPEC_PARSE', 'the broken edit to be noticed');
    assert.equal(statsig.checkGate(u1, 'public_gate'), true);
    assert.equal(statsig.health().lcut, EXAMPLE_TIME);

    writeFileSync(file, nextDcs(EXAMPLE_TIME + 1, false));
    await waitFor(() => statsig.health().lcut === EXAMPLE_TIME + 1, 'the fixed file to be loaded');
    assert.equal(statsig.checkGate(u1, 'public_gate'), false);
    assert.deepEqual(updates, [EXAMPLE_TIME, EXAMPLE_TIME + 1]);

    writeFileSync(lists, JSON.stringify({ blocked_users_list: [] }));
    await waitFor(() => !statsig.checkGate({ userID: 'blocked-user-1' }, 'segment:blocked_users'), 'the ID list edit');
  } finally {
    await statsig.shutdown(500);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a server secret and without a specs source the constructor says what to give', () => {
  assert.throws(
    () => new Statsig('', { eventSinks: [], logger: silentLogger }),
    (e: Error & { code?: string }) => e.code === 'FL_ERR_INVALID_OPTION' && /give specsFile, bootstrapValues or dataStore/.test(e.message),
  );
});

test('a missing specs file: not initialized, the reason in health', async () => {
  const statsig = new Statsig('', { specsFile: '/nonexistent/dcs.json', eventSinks: [], logger: silentLogger });
  const init = await statsig.initialize();
  assert.equal(init.success, false);
  assert.match(init.error!, /cannot read specs file/);
  assert.equal(statsig.health().lastError!.code, 'FL_ERR_SOURCE_UNAVAILABLE');
  await statsig.shutdown(500);
});
