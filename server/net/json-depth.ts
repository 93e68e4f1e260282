/**
 * Nesting depth of JSON text, checked before JSON.parse: a body nested thousands deep parses, but the
 * schema check and JSON.stringify that follow recurse once per level and overflow the stack (a 500
 * and a stack trace per request). One linear pass, strings skipped, stopping at the first level past
 * the limit.
 */

/** Deepest nesting a request body may have (a Statsig event is about 5 levels deep). */
export const MAX_JSON_DEPTH = 32;

export function jsonTextDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
