import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { djb2, hashIdListEntry, sha256Base64 } from '../../lib/index';
import { sha256Bytes, sha256Mod10000, sha256U64 } from '../../lib/hash/sha256';

test('djb2 vectors (§6): UTF-16 code units, unsigned decimal', () => {
  assert.equal(djb2('a_gate'), '2867927529');
  assert.equal(djb2('public_gate'), '3214503137');
  assert.equal(djb2(''), '0');
  assert.equal(djb2('héllo'), '103094734');
  assert.equal(djb2('secret-test-key'), '1593145633');
  assert.equal(djb2('client-key-ios'), '379338653');
  assert.equal(djb2('😀'), '1772899');
});

test('sha256 bucketing vectors (§13.1)', () => {
  assert.equal(sha256U64('salt1.ruleSalt1.user-1'), 17320942788214551999n);
  assert.equal(sha256Mod10000('salt1.ruleSalt1.user-1'), 1999);
  assert.equal(sha256U64('bucketSalt.user-1'), 10175887347703227834n);
  assert.equal(sha256Mod10000('bucketSalt.user-1') % 1000, 834);
  const layer = '5e4d3c2b-search-layer-salt';
  assert.deepEqual(['user-1', 'blocked-user-1', 'qa-user-test', ''].map((u) => sha256Mod10000(`${layer}.${u}`) % 1000), [412, 30, 230, 668]);
});

test('the exact u64 reduction agrees with BigInt for many keys', () => {
  for (let i = 0; i < 2000; i++) {
    const key = `spec.rule.${i * 7919}`;
    assert.equal(BigInt(sha256Mod10000(key)), sha256U64(key) % 10000n, key);
  }
});

test('sha256 agrees with node:crypto across block boundaries and UTF-8', () => {
  const inputs = ['', 'a', 'abc', 'public_gate', 'héllo wörld', '日本語のテキスト', '😀 emoji 🎉', '\u0000\u007f\u0080\u07ff\u0800\uffff'];
  for (const n of [54, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 5000]) inputs.push('x'.repeat(n), 'é'.repeat(n));
  for (const s of inputs) {
    const ref = createHash('sha256').update(s, 'utf8').digest();
    assert.deepEqual(Buffer.from(sha256Bytes(s)), ref, `len ${s.length}`);
    assert.equal(sha256Base64(s), ref.toString('base64'), `len ${s.length}`);
  }
});

test('ID-list entries: first 8 chars of base64(sha256(id))', () => {
  assert.equal(hashIdListEntry('blocked-user-1'), 'uqA1R8xi');
  assert.equal(hashIdListEntry('user-1'), 'xsKJ5J6c');
});

test('prefixed bucket hashing equals hashing the whole string (every prefix length, block edges, non-ASCII)', async () => {
  const { sha256Prefix, sha256Mod10000Prefixed } = await import('../../lib/hash/sha256');
  const suffixes = ['', 'u', 'user-1', 'a'.repeat(55), 'b'.repeat(56), 'c'.repeat(64), 'd'.repeat(119), 'é-user', 'x\uD83D\uDE00y', '\uD83D', 'user\u2713'];
  let compared = 0;
  for (let p = 0; p <= 140; p++) {
    const prefixText = ('salt-' + 'k'.repeat(p)).slice(0, p);
    for (const mixed of [prefixText, prefixText.replace(/k$/, 'ü')]) {
      const prefix = sha256Prefix(mixed);
      for (const s of suffixes) {
        assert.equal(sha256Mod10000Prefixed(prefix, s), sha256Mod10000(mixed + s), `${JSON.stringify(mixed)} + ${JSON.stringify(s)}`);
        compared++;
      }
    }
  }
  // a prefix ending in a surrogate the encoder pairs with the next code unit (high or lone low,
  // as the reference encodes it) joins with the suffix's first code unit; a complete pair does not
  for (const [prefixText, suffix] of [['salt.\uD83D', '\uDE00user'], ['a\uDC00', 'b'], ['x.\uDC00', '12'], ['x\uD83D\uDE00', 'u'], ['\uDC00\uDC00', 'v']]) {
    assert.equal(sha256Mod10000Prefixed(sha256Prefix(prefixText!), suffix!), sha256Mod10000(prefixText! + suffix!), JSON.stringify(prefixText));
  }
  assert.equal(compared, 141 * 2 * suffixes.length);
});
