/**
 * The check the proxy makes before it caches or serves a download_config_specs payload, for callers
 * outside the proxy: SpecStore's judge (`judgeSpecs`), the SDK's own — complete JSON, the core's full
 * parse, `hashed_sdk_key_used` equal to djb2 of the SDK key it was fetched or stored for, so one key's
 * specs can never be served for another key.
 */
import { judgeSpecs } from '../sync/spec-store';

export type DcsCheck = { kind: 'no-updates' } | { kind: 'specs'; lcut: number };

/** Throws SpecParseError or SpecKeyMismatchError; returns the payload's lcut (0 without `time`, as statsig-node keeps it). */
export function checkDcsPayload(text: string, sdkKey: string): DcsCheck {
  const j = judgeSpecs({ origin: 'network', text }, { serverSecret: sdkKey, heldLcut: null, now: Date.now() });
  if (j.kind === 'rejected') throw j.error;
  if (j.kind === 'specs') return { kind: 'specs', lcut: j.specs.lcut };
  return { kind: 'no-updates' };
}
