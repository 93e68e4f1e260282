/**
 * What the proxy checks before it caches or serves a download_config_specs payload: valid JSON, the v1
 * top-level shape, a numeric `time`, and `hashed_sdk_key_used` (when present) equal to djb2 of the SDK
 * key it was fetched or stored for — so one key's specs can never be served for another key.
 */
import { SpecKeyMismatchError, SpecParseError } from '../../lib/errors';

export type DcsCheck = { kind: 'no-updates' } | { kind: 'specs'; lcut: number };

function djb2(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return String(h >>> 0);
}

/** Throws SpecParseError or SpecKeyMismatchError; returns the payload's lcut. */
export function checkDcsPayload(text: string, sdkKey: string): DcsCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpecParseError(`download_config_specs is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SpecParseError('download_config_specs must be a JSON object', [{ path: [], message: 'not an object' }]);
  }
  const o = json as Record<string, unknown>;
  if (typeof o.hashed_sdk_key_used === 'string' && o.hashed_sdk_key_used !== djb2(sdkKey)) {
    throw new SpecKeyMismatchError();
  }
  if (!o.has_updates) return { kind: 'no-updates' };
  const issues: { path: string[]; message: string }[] = [];
  if (typeof o.time !== 'number' || !Number.isFinite(o.time) || o.time < 0) {
    issues.push({ path: ['time'], message: 'must be a non-negative number' });
  }
  for (const k of ['feature_gates', 'dynamic_configs', 'layer_configs']) {
    if (!Array.isArray(o[k])) issues.push({ path: [k], message: 'must be an array' });
  }
  if (issues.length) throw new SpecParseError(`invalid download_config_specs: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  return { kind: 'specs', lcut: o.time as number };
}
