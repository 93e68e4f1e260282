/** The proxy suites' guard (support/no-unhandled.ts) fails a suite in which a rejection escapes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const guard = fileURLToPath(new URL('./support/no-unhandled.ts', import.meta.url));

function runSuite(body: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fl-guard-'));
  try {
    const file = join(dir, 'suite.test.ts');
    writeFileSync(file, `import { test } from 'node:test';\nimport { watchChildOutput } from ${JSON.stringify(guard)};\ntest('t', async () => {\n${body}\n});\n`);
    // run as a plain script (node:test runs it and sets the exit code); outside this runner's context
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000, env });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a suite fails when a proxy child logged an escaped rejection, or one escaped in-process', () => {
  // a child proxy keeps serving after an escape (its process guard logs it): only its output tells
  const child = runSuite(`watchChildOutput('proxy', ['listening\\n', '[firstlight proxy] unhandled rejection (kept serving): Error: boom\\n']);`);
  assert.notEqual(child.status, 0, child.output);
  assert.match(child.output, /nothing may escape a handler/);
  const local = runSuite(`void Promise.reject(new Error('escaped from a background flush'));\nawait new Promise((r) => setTimeout(r, 50));`);
  assert.notEqual(local.status, 0, local.output);
  assert.match(local.output, /escaped from a background flush/);
  const good = runSuite(`watchChildOutput('proxy', ['listening\\n']);\nawait Promise.reject(new Error('handled')).catch(() => {});`);
  assert.equal(good.status, 0, good.output);
});
