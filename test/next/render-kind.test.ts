// Which renders may log server-side exposures: only a document load is known to be shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NextRequest } from 'next/server';
import { ensureStableId, RENDER_KIND_HEADER, renderKindFromMark, renderKindOf } from '../../server/next/stable-id';

const h = (o: Record<string, string>) => new Headers(o);

test('render kind from request headers: browser page loads, other fetches, marked prefetches', () => {
  assert.equal(renderKindOf(h({ 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', accept: 'text/html,*/*;q=0.8' })), 'document');
  assert.equal(renderKindOf(h({ 'sec-fetch-dest': 'iframe' })), 'document');
  // no Fetch Metadata (plain http on a non-local host, old browsers): what the request accepts decides
  assert.equal(renderKindOf(h({ accept: 'text/html,application/xhtml+xml' })), 'document');
  assert.equal(renderKindOf(h({ accept: '*/*' })), 'router');
  assert.equal(renderKindOf(h({})), 'router');
  // the Next router's RSC fetch: Next 16 sends a full <Link prefetch={true}> exactly like a navigation
  assert.equal(renderKindOf(h({ 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors', accept: '*/*' })), 'router');
  assert.equal(renderKindOf(h({ rsc: '1', accept: 'text/html' })), 'router');
  // a Fetch Metadata destination outranks a misleading Accept
  assert.equal(renderKindOf(h({ 'sec-fetch-dest': 'empty', accept: 'text/html' })), 'router');
  assert.equal(renderKindOf(h({ rsc: '1', 'next-router-prefetch': '1', 'next-router-segment-prefetch': '/_tree' })), 'prefetch');
  assert.equal(renderKindOf(h({ purpose: 'prefetch', accept: 'text/html' })), 'prefetch');
  assert.equal(renderKindOf(h({ 'sec-purpose': 'prefetch;prerender', 'sec-fetch-dest': 'document' })), 'prefetch');
});

test('server components trust only a known mark; without the proxy they fall back to what survives', () => {
  assert.equal(renderKindFromMark(h({ [RENDER_KIND_HEADER]: 'router' })), 'router');
  assert.equal(renderKindFromMark(h({ [RENDER_KIND_HEADER]: 'document', purpose: 'prefetch' })), 'document');
  assert.equal(renderKindFromMark(h({ [RENDER_KIND_HEADER]: 'bogus', purpose: 'prefetch' })), 'prefetch');
  assert.equal(renderKindFromMark(h({ [RENDER_KIND_HEADER]: 'bogus', 'sec-fetch-dest': 'document' })), 'document');
  assert.equal(renderKindFromMark(h({ [RENDER_KIND_HEADER]: 'bogus' })), 'router');
});

test('the proxy overwrites a mark the browser sent', () => {
  const opts = { clientKey: 'client-k', mint: () => 'minted-0000-4000-8000-000000000000' };
  const forward = (headers: Record<string, string>) => {
    const res = ensureStableId(new NextRequest('http://127.0.0.1/', { headers }), opts);
    return res.headers.get(`x-middleware-request-${RENDER_KIND_HEADER}`);
  };
  assert.equal(forward({ [RENDER_KIND_HEADER]: 'document', 'sec-fetch-dest': 'empty' }), 'router');
  assert.equal(forward({ [RENDER_KIND_HEADER]: 'router', 'sec-fetch-dest': 'document' }), 'document');
  assert.equal(forward({ [RENDER_KIND_HEADER]: 'document', 'next-router-prefetch': '1', rsc: '1' }), 'prefetch');
});
