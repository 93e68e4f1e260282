/**
 * What of the server's own state a response body may carry. Error messages name absolute paths (the
 * specs file, the event log, the spool) and quote file content (a JSON parse error shows a snippet of
 * the specs file); those belong in the server log. A public body keeps each error's `code`, `where`
 * and time, and says where the message went.
 */
export const IN_SERVER_LOG = 'details in the server log';

const PRIVATE_KEYS = new Set(['message', 'reason']);

/** A copy of `value` with every `message`/`reason` string replaced (the caller's object is not touched). */
export function publicBody<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(v: unknown, depth: number): unknown {
  if (depth > 16 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = PRIVATE_KEYS.has(k) && typeof x === 'string' ? IN_SERVER_LOG : redact(x, depth + 1);
  return out;
}
