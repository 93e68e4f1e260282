/**
 * What the proxy checks before it caches or serves a download_config_specs payload: the full schema
 * check of the core (`parseSpecs`), including `hashed_sdk_key_used` equal to djb2 of the SDK key it was
 * fetched or stored for — so one key's specs can never be served for another key. Runs once per new
 * lcut, never per request.
 */
import { isNoUpdatesPayload, parseSpecs, specsInfo } from '../../lib/index';
import { SpecParseError } from '../../lib/errors';

export type DcsCheck = { kind: 'no-updates' } | { kind: 'specs'; lcut: number };

/** Throws SpecParseError or SpecKeyMismatchError; returns the payload's lcut. */
export function checkDcsPayload(text: string, sdkKey: string): DcsCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpecParseError(`download_config_specs is not valid JSON: ${(e as Error).message}`);
  }
  if (isNoUpdatesPayload(json)) {
    // still refuse an answer that names another key
    const used = (json as { hashed_sdk_key_used?: unknown }).hashed_sdk_key_used;
    if (typeof used === 'string') parseSpecs({ has_updates: true, time: 0, feature_gates: [], dynamic_configs: [], layer_configs: [], hashed_sdk_key_used: used }, { serverSecret: sdkKey });
    return { kind: 'no-updates' };
  }
  const specs = parseSpecs(json, { serverSecret: sdkKey, source: 'Network' });
  return { kind: 'specs', lcut: specsInfo(specs).lcut };
}
