// Optional peers are imported when a feature starts; a missing one is MissingPackageError naming it,
// anything else that goes wrong while loading is passed on unchanged. (The package test proves the
// real case: `firstlight` loaded in an app without ioredis, fleet mode refused at start.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MissingPackageError } from '../../lib/errors';
import { importOptional } from '../../server/optional-package';

test('a package that is not installed becomes MissingPackageError naming it', async () => {
  const err = await importOptional('Fleet mode', ['firstlight-no-such-package'] as const, async () => [
    await import('firstlight-no-such-package' as string),
  ] as const).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MissingPackageError);
  assert.equal(err.code, 'FL_ERR_MISSING_PACKAGE');
  assert.deepEqual(err.packages, ['firstlight-no-such-package']);
  assert.match(err.message, /Fleet mode needs the optional package firstlight-no-such-package, which is not installed: npm install firstlight-no-such-package/);
  assert.equal((err.cause as { code?: string }).code, 'ERR_MODULE_NOT_FOUND');
});

test('of several packages, the message says which are missing', async () => {
  const err = await importOptional('gRPC streaming', ['undici', 'firstlight-no-such-package'] as const, () =>
    Promise.all([import('undici'), import('firstlight-no-such-package' as string)] as const),
  ).catch((e: unknown) => e);
  assert.ok(err instanceof MissingPackageError);
  assert.deepEqual(err.packages, ['firstlight-no-such-package']);
  assert.match(err.message, /\(firstlight-no-such-package not installed\): npm install undici firstlight-no-such-package/);
});

test('a package that is installed but broken is not reported as missing', async () => {
  // an installed package whose own import fails: its dependency is missing, not the package
  const dir = mkdtempSync(join(tmpdir(), 'fl-optional-'));
  mkdirSync(join(dir, 'node_modules', 'broken-peer'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'broken-peer', 'package.json'), JSON.stringify({ name: 'broken-peer', type: 'module', main: 'index.js' }));
  writeFileSync(join(dir, 'node_modules', 'broken-peer', 'index.js'), "import 'its-own-missing-dependency';\n");
  const entry = pathToFileURL(join(dir, 'node_modules', 'broken-peer', 'index.js')).href;
  const err = await importOptional('x', ['broken-peer'] as const, async () => [await import(entry)] as const).catch((e: unknown) => e);
  assert.ok(!(err instanceof MissingPackageError), String(err));
  assert.equal((err as { code?: string }).code, 'ERR_MODULE_NOT_FOUND');

  const thrown = new TypeError('boom');
  const other = await importOptional('x', ['y'] as const, () => Promise.reject(thrown)).catch((e: unknown) => e);
  assert.equal(other, thrown);
});
