/**
 * Log lines the routes write about what a client sent. A client decides how often these happen, so
 * each kind is written at most once per window, with the count of the ones left out: no request, and
 * no flood of requests, can make the service log more than a line per kind and window.
 */
const WINDOW_MS = 10_000;

interface Window {
  at: number;
  suppressed: number;
}

const windows = new Map<string, Window>();

export function routeWarn(kind: string, line: string, now = Date.now()): void {
  const w = windows.get(kind);
  if (w && now - w.at < WINDOW_MS) {
    w.suppressed++;
    return;
  }
  const more = w && w.suppressed > 0 ? ` (${w.suppressed} more like it in the last ${Math.round((now - w.at) / 1000)} s)` : '';
  windows.set(kind, { at: now, suppressed: 0 });
  console.warn(`[firstlight] ${line}${more}`);
}

/** Control characters (C0, DEL, C1 — ANSI escapes begin with ESC or CSI) and line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** Client text made safe for one log line: no control or bidi characters, at most `max` characters. */
export function sanitizeForLog(text: string, max: number): string {
  const clean = text.slice(0, max * 2).replace(CONTROL, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
