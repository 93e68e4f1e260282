// Every error class in the package has a code and a row in docs/errors.md: the table is the contract
// a user reads, so a class that is missing from it (or whose code differs) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '../lib/index';
import * as next from '../server/next/index';
import * as server from '../server/index';

interface Declared {
  file: string;
  name: string;
  code: string | null;
}

function sources(): string[] {
  return ['lib', 'server', 'bin'].flatMap((dir) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => /\.(ts|tsx)$/.test(f))
      .map((f) => join(dir, f)),
  );
}

/** Error classes declared in the source: `class X extends …Error` and `const X = codedError('X', 'CODE', …)`. */
function declaredErrors(): Declared[] {
  const out: Declared[] = [];
  for (const file of sources()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:export )?const (\w+) = codedError\(\s*'(\w+)',\s*'(FL_ERR\w*)'/g)) {
      out.push({ file, name: m[1]!, code: m[3]! });
    }
    for (const m of text.matchAll(/class (\w+) extends (\w*Error|\w+Base)\b[^{]*\{([\s\S]*?)\n\}/g)) {
      const name = m[1]!;
      const own = /readonly code(?::[^=]+)? = '(FL_ERR\w*)'/.exec(m[3]!)?.[1];
      // a subclass of a coded base inherits its code
      const base = out.find((d) => d.file === file && d.name === m[2]);
      out.push({ file, name, code: own ?? base?.code ?? null });
    }
  }
  return out.filter((d) => !d.name.endsWith('Base'));
}

function tableRows(): Array<{ name: string; code: string }> {
  const doc = readFileSync('docs/errors.md', 'utf8');
  return [...doc.matchAll(/^\| `(\w+)` \| `(FL_ERR\w*)` \|/gm)].map((m) => ({ name: m[1]!, code: m[2]! }));
}

test('the scan finds the error classes (guards against a regex that matches nothing)', () => {
  const names = declaredErrors().map((d) => d.name);
  for (const n of ['FirstlightError', 'SpecParseError', 'InvalidOptionError', 'DeliveryError', 'CliError']) assert.ok(names.includes(n), n);
});

test('every error class has a code and a row with that code in docs/errors.md', () => {
  const rows = tableRows();
  const problems: string[] = [];
  for (const d of declaredErrors()) {
    if (d.code === null) problems.push(`${d.file}: ${d.name} has no code`);
    else if (!rows.some((r) => r.name === d.name && r.code === d.code)) problems.push(`${d.file}: ${d.name} (${d.code}) is not in docs/errors.md`);
  }
  assert.deepEqual(problems, []);
});

test('the exported error classes carry the code the table gives them', () => {
  const rows = tableRows();
  const exported = { ...core, ...server, ...next } as Record<string, unknown>;
  let checked = 0;
  for (const [name, value] of Object.entries(exported)) {
    if (typeof value !== 'function' || !name.endsWith('Error')) continue;
    const err = Reflect.construct(value, ['x', false]) as { code?: unknown };
    assert.ok(err instanceof Error, name);
    assert.ok(rows.some((r) => r.name === name && r.code === err.code), `${name}: code ${String(err.code)} not in the table`);
    checked++;
  }
  assert.ok(checked >= 9, `checked ${checked} exported classes`);
});
