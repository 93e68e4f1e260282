/**
 * JavaScript's own-property order, which decides the key order of statsig-node's JSON output:
 * array-index keys ("0" … "4294967294") first in ascending numeric order, then the other keys in
 * insertion order. djb2 names are decimal strings, so this is what sorts a bootstrap's maps.
 */

const MAX_INDEX = 4294967294;

export function isArrayIndexKey(k: string): boolean {
  const n = k.length;
  if (n === 0 || n > 10) return false;
  if (n > 1 && k.charCodeAt(0) === 48) return false; // leading zero
  for (let i = 0; i < n; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(k) <= MAX_INDEX;
}

/**
 * Positions of `keys` in the order an object built by inserting them would list them. A key that
 * repeats keeps its first position (later positions are dropped).
 */
export function jsKeyOrder(keys: readonly string[]): number[] {
  const seen = new Set<string>();
  const index: number[] = [];
  const other: number[] = [];
  keys.forEach((k, i) => {
    if (seen.has(k)) return;
    seen.add(k);
    (isArrayIndexKey(k) ? index : other).push(i);
  });
  index.sort((a, b) => Number(keys[a]) - Number(keys[b]));
  return index.concat(other);
}
