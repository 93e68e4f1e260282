/**
 * The forced-variants token a cookie or header carries: `v1.<payload>.<signature>`, the payload
 * base64url JSON (lib/forced-variants.ts's schema), the signature base64url HMAC-SHA256 of `v1.<payload>`
 * with the configured key. A token that is not exactly this, or is signed with another key, or whose
 * `exp` has passed, or that is larger than a cookie can carry, is refused with its reason.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../../lib/errors';
import { forcedVariantsSchema, MIN_FORCE_KEY_LENGTH, type ForcedVariants, type ForcedVariantsRequest } from '../../lib/forced-variants';

export { FORCE_COOKIE, FORCE_HEADER } from '../../lib/forced-variants';

/** Browsers keep cookies up to 4096 bytes, name included; headers get the same bound. */
export const MAX_TOKEN_BYTES = 3800;
/** How long a token applies unless its signer says otherwise. */
export const DEFAULT_TTL_MS = 60 * 60 * 1000;

export type TokenRefusal = 'oversized' | 'malformed' | 'forged' | 'expired' | 'invalid';
export type VerifiedToken = { readonly ok: true; readonly payload: ForcedVariants } | { readonly ok: false; readonly reason: TokenRefusal };

const PREFIX = 'v1.';
const B64URL = /^[A-Za-z0-9_-]+$/;

function mac(key: string, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

/** A token for `request`, valid until `nowMs + ttlMs`. */
export function signForcedVariants(request: ForcedVariantsRequest, key: string, opts: { nowMs?: number; ttlMs?: number } = {}): string {
  if (typeof key !== 'string' || key.length < MIN_FORCE_KEY_LENGTH) throw new InvalidArgumentError(`firstlight: a forced-variants key must be at least ${MIN_FORCE_KEY_LENGTH} characters`);
  const parsed = forcedVariantsSchema.safeParse({ ...request, v: 1, exp: Math.floor((opts.nowMs ?? Date.now()) + (opts.ttlMs ?? DEFAULT_TTL_MS)) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidArgumentError(`firstlight: forced variants ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const payload = parsed.data;
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const token = `${PREFIX}${body}.${mac(key, PREFIX + body).toString('base64url')}`;
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) throw new InvalidArgumentError(`firstlight: forced variants too large for a cookie (${Buffer.byteLength(token)} > ${MAX_TOKEN_BYTES} bytes)`);
  return token;
}

export function verifyForcedVariants(token: string, key: string, nowMs: number): VerifiedToken {
  if (token.length > MAX_TOKEN_BYTES) return { ok: false, reason: 'oversized' };
  if (!token.startsWith(PREFIX)) return { ok: false, reason: 'malformed' };
  const [body, sig, extra] = token.slice(PREFIX.length).split('.');
  if (!body || !sig || extra !== undefined || !B64URL.test(body) || !B64URL.test(sig)) return { ok: false, reason: 'malformed' };
  const expected = mac(key, PREFIX + body);
  const got = Buffer.from(sig, 'base64url');
  // signature before parsing: nothing unsigned reaches JSON.parse
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return { ok: false, reason: 'forged' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const parsed = forcedVariantsSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  if (parsed.data.exp <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, payload: parsed.data };
}
