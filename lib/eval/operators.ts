/**
 * Condition operators (reference §5.5), one entry per lower-cased operator name. Each entry is a
 * factory run once at compile time with the condition's target, returning the per-user test.
 * Semantics copy statsig-node 6.5.2, quirks included (loose `==`, `any` on String(), seconds vs
 * milliseconds, array_contains with parseInt): a bootstrap must agree with Statsig's own SDK.
 */
import { sha256Base64 } from '../hash/sha256';
import type { EvalContext } from './context';

export type OperatorTest = (value: unknown, ctx: EvalContext) => boolean;
/** `rawOperator` is the operator as written in the payload (statsig-node branches on it once). */
export type OperatorFactory = (target: unknown, rawOperator: string) => OperatorTest;

const never: OperatorTest = () => false;

function numberCompare(cmp: (a: number, b: number) => boolean): OperatorFactory {
  return (target) => {
    if (target == null) return never;
    const b = Number(target);
    if (Number.isNaN(b)) return never;
    return (value) => {
      if (value == null) return false;
      const a = Number(value);
      return !Number.isNaN(a) && cmp(a, b);
    };
  };
}

/** Version parts without the `-extension`; null when not comparable. */
function versionParts(v: unknown): string[] | null {
  if (typeof v !== 'string') return null;
  const dash = v.indexOf('-');
  const core = dash >= 0 ? v.slice(0, dash) : v;
  return core.length === 0 ? null : core.split('.');
}

// One-entry memos of the per-user side of a comparison: one evaluation tests the same user value
// (a browser version, an email) against many conditions in a row. Pure functions of the
// value, and the cached parts are only read, so a hit is indistinguishable from a recomputation
// (hand-written, for the large DCS bootstrap).
let lastVersionIn: string | undefined;
let lastVersionParts: string[] | null = null;

function userVersionParts(v: unknown): string[] | null {
  if (typeof v !== 'string') return null;
  if (v !== lastVersionIn) {
    lastVersionParts = versionParts(v);
    lastVersionIn = v;
  }
  return lastVersionParts;
}

let lastLowerIn: string | undefined;
let lastLower = '';

function lowerOf(s: string): string {
  if (s !== lastLowerIn) {
    lastLower = s.toLowerCase();
    lastLowerIn = s;
  }
  return lastLower;
}

/** -1/0/1, or null when a part is not numeric. Missing parts count as "0". */
function versionCompare(p1: readonly string[], p2: readonly string[]): number | null {
  const n = Math.max(p1.length, p2.length);
  for (let i = 0; i < n; i++) {
    const a = Number(p1[i] ?? '0');
    const b = Number(p2[i] ?? '0');
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    if (a < b) return -1;
    if (a > b) return 1;
  }
  return 0;
}

function versionOp(accept: (c: number) => boolean): OperatorFactory {
  return (target) => {
    const t = versionParts(target);
    if (t === null) return never;
    return (value) => {
      const v = userVersionParts(value);
      if (v === null) return false;
      const c = versionCompare(v, t);
      return c !== null && accept(c);
    };
  };
}

/**
 * `any`/`none` and their case-sensitive forms. statsig-node builds a String() set only when the raw
 * operator is exactly lower-case and the target is an array; otherwise it falls back to comparing
 * element by element, where a missing value never matches. Both paths are reproduced.
 */
function membership(caseInsensitive: boolean, negate: boolean, exactRaw: string): OperatorFactory {
  return (target, rawOperator) => {
    if (rawOperator === exactRaw && Array.isArray(target)) {
      const set = new Set<string>();
      for (const x of target) {
        const s = String(x);
        set.add(s);
        if (caseInsensitive) set.add(s.toLowerCase());
      }
      // Hand-written fast path (a measured win on bootstrap): user_bucket conditions test a
      // number against hundreds of bucket strings. A finite number's String() is all lower-case
      // and round-trips through Number(), so `String(v) ∈ set` ⇔ `v ∈ numbers` where numbers holds
      // every set member that is some number's canonical string. Integers 0..9999 (buckets) use a
      // byte table; other finite numbers the Set (SameValueZero: -0 finds "0", as String(-0) does).
      const numbers = new Set<number>();
      let size = 0;
      for (const s of set) {
        const n = Number(s);
        if (Number.isFinite(n) && String(n) === s) {
          numbers.add(n);
          if (Number.isInteger(n) && n >= 0 && n < 10000 && n >= size) size = n + 1;
        }
      }
      const table = new Uint8Array(size);
      for (const n of numbers) if (Number.isInteger(n) && n >= 0 && n < size) table[n] = 1;
      const hit = caseInsensitive
        ? (value: unknown): boolean => {
            if (typeof value === 'number' && Number.isFinite(value)) {
              return Number.isInteger(value) && value >= 0 && value < size ? table[value] === 1 : numbers.has(value);
            }
            const s = String(value);
            return set.has(s) || set.has(lowerOf(s));
          }
        : (value: unknown): boolean => {
            if (typeof value === 'number' && Number.isFinite(value)) {
              return Number.isInteger(value) && value >= 0 && value < size ? table[value] === 1 : numbers.has(value);
            }
            return set.has(String(value));
          };
      return negate ? (value) => !hit(value) : hit;
    }
    const any = stringAny(target, caseInsensitive, (a, b) => a === b);
    return negate ? (value, ctx) => !any(value, ctx) : any;
  };
}

/** `arrayAny(value, target, stringCompare(ignoreCase, fn))`: null on either side never matches. */
function stringAny(target: unknown, ignoreCase: boolean, fn: (a: string, b: string) => boolean): OperatorTest {
  if (!Array.isArray(target)) return never;
  const targets: string[] = [];
  for (const x of target) if (x != null) targets.push(ignoreCase ? String(x).toLowerCase() : String(x));
  if (targets.length === 0) return never;
  return (value) => {
    if (value == null) return false;
    const a = ignoreCase ? lowerOf(String(value)) : String(value);
    for (let i = 0; i < targets.length; i++) if (fn(a, targets[i]!)) return true;
    return false;
  };
}

function stringOp(fn: (a: string, b: string) => boolean, negate: boolean): OperatorFactory {
  return (target) => {
    const any = stringAny(target, true, fn);
    return negate ? (value, ctx) => !any(value, ctx) : any;
  };
}

/** Epoch ms as statsig-node reads it: numbers (and numeric strings) below 1e10 are seconds. */
function timeInMs(time: unknown): number {
  let n = Number(time);
  if (Number.isNaN(n)) return Number.NaN;
  if (n < 10_000_000_000) n *= 1000;
  return n;
}

/** `new Date(ms).getTime()` without the allocation: ECMAScript TimeClip. */
function timeClip(ms: number): number {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return Number.NaN;
  return Math.trunc(ms) + 0;
}

/** A string parses as a date first, then as a number; anything else is a number. Invalid -> NaN. */
function toDateMs(v: unknown): number {
  if (typeof v === 'string') {
    const t = new Date(v).getTime();
    if (!Number.isNaN(t)) return t;
  }
  return timeClip(timeInMs(v));
}

const DAY_MS = 86_400_000;

function dateOp(cmp: (a: number, b: number) => boolean): OperatorFactory {
  return (target) => {
    if (target == null) return never;
    const b = toDateMs(target);
    if (Number.isNaN(b)) return never;
    return (value) => {
      if (value == null) return false;
      const a = toDateMs(value);
      return !Number.isNaN(a) && cmp(a, b);
    };
  };
}

/** ID-list membership: the unit ID's 8-char sha256 prefix in the named list. */
function segmentList(negate: boolean): OperatorFactory {
  return (target) => {
    const listName = String(target);
    return (value, ctx) => {
      const list = ctx.specs.idLists.get(listName);
      const inList = list !== undefined && typeof value === 'string' && list.has(sha256Base64(value).slice(0, 8));
      return negate ? !inList : inList;
    };
  };
}

/** array_contains_*: v must be an array; a target item matches as itself or as parseInt(item). */
function arrayContains(mode: 'any' | 'none' | 'all' | 'not_all'): OperatorFactory {
  return (target) => {
    if (!Array.isArray(target)) return never;
    const items = target as unknown[];
    const parsed = items.map((x) => parseInt(x as string));
    const wantAny = mode === 'any' || mode === 'none';
    const negate = mode === 'none' || mode === 'not_all';
    return (value) => {
      if (!Array.isArray(value)) return false;
      const set = new Set<unknown>(value);
      // any: some item present; all: no item missing
      let result = !wantAny;
      for (let i = 0; i < items.length; i++) {
        const present = set.has(items[i]) || set.has(parsed[i]);
        if (wantAny && present) {
          result = true;
          break;
        }
        if (!wantAny && !present) {
          result = false;
          break;
        }
      }
      return negate ? !result : result;
    };
  };
}

function strMatches(target: unknown): OperatorTest {
  let re: RegExp;
  try {
    re = new RegExp(target as string);
  } catch {
    return never; // an invalid pattern never matches
  }
  return (value) => {
    const s = String(value);
    return s.length < 1000 && re.test(s);
  };
}

export const OPERATORS: Readonly<Record<string, OperatorFactory>> = Object.freeze({
  gt: numberCompare((a, b) => a > b),
  gte: numberCompare((a, b) => a >= b),
  lt: numberCompare((a, b) => a < b),
  lte: numberCompare((a, b) => a <= b),
  version_gt: versionOp((c) => c > 0),
  version_gte: versionOp((c) => c >= 0),
  version_lt: versionOp((c) => c < 0),
  version_lte: versionOp((c) => c <= 0),
  version_eq: versionOp((c) => c === 0),
  version_neq: versionOp((c) => c !== 0),
  any: membership(true, false, 'any'),
  none: membership(true, true, 'none'),
  any_case_sensitive: membership(false, false, 'any_case_sensitive'),
  none_case_sensitive: membership(false, true, 'none_case_sensitive'),
  str_starts_with_any: stringOp((a, b) => a.startsWith(b), false),
  str_ends_with_any: stringOp((a, b) => a.endsWith(b), false),
  str_contains_any: stringOp((a, b) => a.includes(b), false),
  str_contains_none: stringOp((a, b) => a.includes(b), true),
  str_matches: strMatches,
  // statsig-node compares with loose equality ("5" == 5, null == undefined); kept for parity
  // eslint-disable-next-line eqeqeq
  eq: (target) => (value) => value == target,
  // eslint-disable-next-line eqeqeq
  neq: (target) => (value) => value != target,
  before: dateOp((a, b) => a < b),
  after: dateOp((a, b) => a > b),
  // Deliberate difference: statsig-node compares the process-local calendar day (setHours); we
  // compare the UTC day so results do not depend on the server's TZ. Identical when TZ=UTC.
  on: dateOp((a, b) => Math.floor(a / DAY_MS) === Math.floor(b / DAY_MS)),
  in_segment_list: segmentList(false),
  not_in_segment_list: segmentList(true),
  array_contains_any: arrayContains('any'),
  array_contains_none: arrayContains('none'),
  array_contains_all: arrayContains('all'),
  not_array_contains_all: arrayContains('not_all'),
});

export function operatorFor(op: string): OperatorFactory | undefined {
  return Object.prototype.hasOwnProperty.call(OPERATORS, op) ? OPERATORS[op] : undefined;
}
