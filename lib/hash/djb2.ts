/**
 * djb2 as Statsig computes it: over UTF-16 code units (charCodeAt), 32-bit wrap, printed as an
 * unsigned decimal. Rust's core iterates Unicode scalars instead; we follow statsig-node.
 */
export function djb2Int(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return h >>> 0;
}

export function djb2(s: string): string {
  return String(djb2Int(s));
}

/**
 * djb2 over Unicode code points, as statsig-node-core hashes private attributes for `pa_hash`
 * (it iterates Rust chars; the result differs from djb2Int only for characters beyond U+FFFF).
 */
export function djb2CodePoints(s: string): number {
  let h = 0;
  for (const ch of s) h = ((h << 5) - h + ch.codePointAt(0)!) | 0;
  return h >>> 0;
}
