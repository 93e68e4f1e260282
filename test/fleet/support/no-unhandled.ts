/**
 * Imported by every proxy suite: the suite fails if any promise rejection goes unhandled or any
 * exception escapes, in this process or in a proxy child (bin/proxy.ts logs and keeps serving, so a
 * child's escape shows only in its output). Without this, an escaped rejection in a background flush
 * could pass unnoticed as long as the assertions held.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { proxyChildren } from './fleet';

const escaped: string[] = [];
const children: { name: string; output: readonly string[] }[] = [];

process.on('unhandledRejection', (e) => escaped.push(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
process.on('uncaughtExceptionMonitor', (e) => escaped.push(`uncaught exception: ${e.stack ?? String(e)}`));

/** Scan a proxy child's output too (its guard logs what escaped instead of exiting). */
export function watchChildOutput(name: string, output: readonly string[]): void {
  children.push({ name, output });
}

after(() => {
  for (const c of [...proxyChildren, ...children]) {
    for (const line of c.output.join('').split('\n')) {
      if (/unhandled rejection|uncaught exception/.test(line)) escaped.push(`${c.name}: ${line}`);
    }
  }
  assert.deepEqual(escaped, [], 'nothing may escape a handler during the proxy suites');
});
