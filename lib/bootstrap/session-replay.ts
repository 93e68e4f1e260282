/**
 * Session-replay fields of a bootstrap (reference §10.6), only when the payload carries
 * session_replay_info. Sampling uses Math.random() as statsig-node does: each payload rolls once.
 */

interface Trigger {
  values?: unknown;
  sampling_rate?: number | null;
}

/** `,"recording_blocked":…,"can_record_session":…` etc., in statsig-node's field order. */
export function sessionReplayFields(
  info: Readonly<Record<string, unknown>>,
  passesGate: (gate: string) => boolean,
  hash: (name: string) => string,
  random: () => number = Math.random,
): string {
  const out: Record<string, unknown> = {};
  out['recording_blocked'] = info['recording_blocked'];
  out['can_record_session'] = (info['recording_blocked'] ?? false) === false;
  const roll = random();
  const rate = info['sampling_rate'];
  if (rate != null) {
    out['session_recording_rate'] = rate;
    if (roll > (rate as number)) out['can_record_session'] = false;
  }
  const gate = info['targeting_gate'];
  if (gate != null) {
    const passes = passesGate(String(gate));
    if (!passes) out['can_record_session'] = false;
    out['passes_session_recording_targeting'] = passes;
  }
  const triggers = (src: unknown, key: (name: string) => string) => {
    const res: Record<string, Record<string, unknown>> = {};
    for (const [name, t] of Object.entries((src ?? {}) as Record<string, Trigger>)) {
      const entry: Record<string, unknown> = {};
      if (t?.values != null) entry['values'] = t.values;
      if (t?.sampling_rate != null) entry['passes_sampling'] = roll <= t.sampling_rate;
      res[key(name)] = entry;
    }
    return res;
  };
  if (info['session_recording_event_triggers'] != null) {
    out['session_recording_event_triggers'] = triggers(info['session_recording_event_triggers'], (n) => n);
  }
  if (info['session_recording_exposure_triggers'] != null) {
    out['session_recording_exposure_triggers'] = triggers(info['session_recording_exposure_triggers'], hash);
  }
  const json = JSON.stringify(out);
  return json === '{}' ? '' : ',' + json.slice(1, -1);
}
