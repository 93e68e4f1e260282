/**
 * Strings built with `+` are ropes (V8 cons strings). A rope cached once and spliced into every
 * bootstrap is walked again each time the payload is flattened (sent, hashed, embedded): measured
 * at ~100 µs per large-DCS payload when the cached entries stay ropes, ~15 µs when they are
 * flat. So every cached fragment goes through flatten() once (hand-written; engine-specific but
 * harmless elsewhere).
 */
let sink = 0;

/** Returns `s`, flattened in place (ToNumber reads the whole string, which flattens a rope). */
export function flatten(s: string): string {
  // the result is kept in a module variable so the conversion cannot be optimised away
  sink ^= Number(s) | 0;
  return s;
}
