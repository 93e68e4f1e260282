/**
 * SHA-256 in plain TypeScript, tuned for the short ASCII keys bucketing hashes
 * (`<salt>.<ruleSalt>.<unitID>`): those fit one 64-byte block and skip the byte buffer entirely.
 * Pure (no `node:crypto`) so lib/ runs on any runtime; measured faster than crypto.hash for
 * these inputs because there is no native-call or Buffer overhead.
 *
 * Text is encoded to UTF-8 the way statsig-node's hasher does it: every UTF-16 surrogate is
 * paired with the next code unit, even when the pair is malformed. For well-formed strings
 * that is plain UTF-8.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const W = new Int32Array(64);
/** The digest of the last call, as eight big-endian 32-bit words. */
const OUT = new Int32Array(8);
let bytes = new Uint8Array(256);

function resetState(): void {
  OUT[0] = 0x6a09e667;
  OUT[1] = 0xbb67ae85;
  OUT[2] = 0x3c6ef372;
  OUT[3] = 0xa54ff53a;
  OUT[4] = 0x510e527f;
  OUT[5] = 0x9b05688c;
  OUT[6] = 0x1f83d9ab;
  OUT[7] = 0x5be0cd19;
}

/** Compresses the block already in W[0..15] into OUT. */
function compress(): void {
  const w = W;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = OUT[0]!;
  let b = OUT[1]!;
  let c = OUT[2]!;
  let d = OUT[3]!;
  let e = OUT[4]!;
  let f = OUT[5]!;
  let g = OUT[6]!;
  let h = OUT[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  OUT[0] = (OUT[0]! + a) | 0;
  OUT[1] = (OUT[1]! + b) | 0;
  OUT[2] = (OUT[2]! + c) | 0;
  OUT[3] = (OUT[3]! + d) | 0;
  OUT[4] = (OUT[4]! + e) | 0;
  OUT[5] = (OUT[5]! + f) | 0;
  OUT[6] = (OUT[6]! + g) | 0;
  OUT[7] = (OUT[7]! + h) | 0;
}

/** UTF-8 encodes `s` into the shared byte buffer (statsig-node's surrogate handling); returns the length. */
function encode(s: string): number {
  if (bytes.length < s.length * 3 + 72) bytes = new Uint8Array(s.length * 3 + 72);
  const out = bytes;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c >= 0xe000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      // NaN past the end becomes 0 under `&`, exactly like the reference hasher
      c = 0x10000 + (((c & 0x3ff) << 10) | (s.charCodeAt(++i) & 0x3ff));
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

/** Hashes `s` into OUT. */
function digestInto(s: string): void {
  resetState();
  const len = s.length;
  if (len <= 55) {
    // single-block fast path for ASCII: write words straight from the code units
    let ascii = true;
    W.fill(0, 0, 16);
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      W[i >> 2]! |= c << (24 - ((i & 3) << 3));
    }
    if (ascii) {
      W[len >> 2]! |= 0x80 << (24 - ((len & 3) << 3));
      W[15] = len << 3;
      compress();
      return;
    }
  }
  const n = encode(s);
  const total = ((n + 8) >> 6) + 1; // blocks including padding
  const padded = total << 6;
  const buf = bytes;
  buf[n] = 0x80;
  buf.fill(0, n + 1, padded);
  const bitLen = n * 8;
  // message length in bits, big-endian in the last 8 bytes (inputs stay far below 2^53 bits)
  const hi = Math.floor(bitLen / 0x100000000);
  buf[padded - 8] = hi >>> 24;
  buf[padded - 7] = hi >>> 16;
  buf[padded - 6] = hi >>> 8;
  buf[padded - 5] = hi;
  buf[padded - 4] = bitLen >>> 24;
  buf[padded - 3] = bitLen >>> 16;
  buf[padded - 2] = bitLen >>> 8;
  buf[padded - 1] = bitLen;
  for (let off = 0; off < padded; off += 64) {
    for (let j = 0; j < 16; j++) {
      const p = off + (j << 2);
      W[j] = (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
    }
    compress();
  }
}

/** The 32-byte digest of the UTF-8 of `s`. */
export function sha256Bytes(s: string): Uint8Array {
  digestInto(s);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = OUT[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = v >>> 16;
    out[i * 4 + 2] = v >>> 8;
    out[i * 4 + 3] = v;
  }
  return out;
}

// 2^32 mod m for the two moduli Statsig uses; reduces the u64 exactly without BigInt
const POW32_MOD_10000 = 4294967296 % 10000;

/**
 * First 8 bytes of SHA-256(s) as a big-endian u64, mod 10000 — the pass-percentage bucket.
 * (The user_bucket value, mod 1000, is this mod 1000 because 1000 divides 10000.)
 */
export function sha256Mod10000(s: string): number {
  digestInto(s);
  const hi = OUT[0]! >>> 0;
  const lo = OUT[1]! >>> 0;
  return ((hi % 10000) * POW32_MOD_10000 + (lo % 10000)) % 10000;
}

/** The first 8 bytes of SHA-256(s) as a u64 (BigInt; for tests and diagnostics, not hot paths). */
export function sha256U64(s: string): bigint {
  digestInto(s);
  return (BigInt(OUT[0]! >>> 0) << 32n) | BigInt(OUT[1]! >>> 0);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding of the 32-byte digest (`hash: 'sha256'` names, ID-list entries). */
export function sha256Base64(s: string): string {
  const d = sha256Bytes(s);
  let out = '';
  let i = 0;
  for (; i + 2 < 32; i += 3) {
    const v = (d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!;
    out += B64[v >> 18]! + B64[(v >> 12) & 63]! + B64[(v >> 6) & 63]! + B64[v & 63]!;
  }
  // 32 = 30 + 2: two trailing bytes, one '='
  const v = (d[30]! << 16) | (d[31]! << 8);
  return out + B64[v >> 18]! + B64[(v >> 12) & 63]! + B64[(v >> 6) & 63]! + '=';
}

/** An ID-list entry as Statsig stores it: the first 8 chars of base64(sha256(id)). */
export function hashIdListEntry(rawId: string): string {
  return sha256Base64(rawId).slice(0, 8);
}
