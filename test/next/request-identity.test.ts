// Who a request is: the client IP from a trusted proxy chain (the nearest trusted proxy's entry, not the
// client-written leftmost one) and the stable ID from duplicate cookies by the browser's rule (first wins).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientIpFrom, stableIdFrom } from '../../server/next/user';
import { stableIdCookieName, stableIdFromCookieHeader } from '../../server/next/stable-id';

const h = (v: Record<string, string>) => ({ get: (n: string) => v[n] ?? null });

test('trusted proxy hops: the address the nearest trusted proxy saw wins, not the leftmost entry the client wrote', () => {
  const xff = h({ 'x-forwarded-for': '6.6.6.6, 203.0.113.5, 10.0.0.2' });
  assert.equal(clientIpFrom(xff, 'x-forwarded-for'), '10.0.0.2', 'one trusted proxy: its entry is the rightmost');
  assert.equal(clientIpFrom(xff, 'x-forwarded-for', 2), '203.0.113.5', 'two trusted proxies: the outer one saw the client');
  assert.equal(clientIpFrom(xff, 'x-forwarded-for', 5), '6.6.6.6', 'fewer entries than hops: the first');
  assert.equal(clientIpFrom(h({ 'x-real-ip': '198.51.100.1' }), 'x-real-ip'), '198.51.100.1');
  assert.equal(clientIpFrom(h({ 'x-forwarded-for': '1.2.3.4, not-an-ip' }), 'x-forwarded-for'), undefined, 'an invalid entry is no address');
  assert.equal(clientIpFrom(xff, null), undefined, 'no trusted header: no address');
  assert.equal(clientIpFrom(h({ 'x-forwarded-for': `${'1.1.1.1, '.repeat(300)}2.2.2.2` }), 'x-forwarded-for'), undefined, 'an oversized header is ignored');
});

test('duplicate stable-ID cookies: the first pair wins, as @statsig/js-client reads document.cookie', () => {
  const key = 'client-firstlight-demo';
  const name = stableIdCookieName(key);
  const header = `other=1; ${name}=first-id-00000001; x=2; ${name}=second-id-0000002`;
  assert.equal(stableIdFromCookieHeader(header, key), 'first-id-00000001');
  // Next's cookies() keeps the last duplicate; the server now reads the header instead
  const nextLike = { get: (n: string) => (n === name ? { value: 'second-id-0000002' } : undefined) };
  assert.equal(stableIdFrom(nextLike, key, header), 'first-id-00000001');
  assert.equal(stableIdFrom(nextLike, key, null), 'second-id-0000002', 'without a header, the reader');
  assert.equal(stableIdFromCookieHeader(`${name}=bad id!; ${name}=second-id-0000002`, key), null, 'an invalid first one is not skipped over');
  assert.equal(stableIdFromCookieHeader(`${name}=first%2Did%2D00000001`, key), 'first-id-00000001', 'URI-encoded as the client writes it');
  assert.equal(stableIdFromCookieHeader(null, key), null);
});
