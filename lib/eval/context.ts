/**
 * Per-evaluation state: the user, the environment and target app it is evaluated for, and memos
 * that make one evaluation pass compute each nested gate, bucket hash, UA parse and IP lookup at
 * most once. A context lives for one API call (or one evaluateAll) and is never shared.
 */
import type { Specs } from '../spec/compiled';
import type { LocalOverrides } from '../overrides';
import type { StatsigUser } from '../types';
import type { ResolvedEnvironment } from '../user/environment';
import { parseUserAgent, type ParsedUserAgent } from '../user/user-agent';
import { countryFromIP } from '../user/country';
import { getFromUser } from '../user/fields';
import { sha256Mod10000 } from '../hash/sha256';
import type { EvalResult } from './result';

/** Nested evaluations deeper than this are reported Unsupported (statsig-node has no guard). */
export const MAX_DEPTH = 300;

export class EvalContext {
  /** name -> result; null marks an evaluation in progress (a cycle when met again). */
  gateMemo: Map<string, EvalResult | null> | null = null;
  configMemo: Map<string, EvalResult | null> | null = null;
  depth = 0;
  private hashMemo: Map<string, number> | null = null;
  private nowMs = -1;
  private ua: ParsedUserAgent | null | undefined = undefined;
  private country: string | null | undefined = undefined;

  constructor(
    readonly specs: Specs,
    readonly user: StatsigUser,
    readonly environment: ResolvedEnvironment,
    readonly overrides: LocalOverrides | null,
    /** The value `target_app` conditions see (§5.4): the client key's app, or the payload's app_id. */
    readonly targetApp: unknown,
    private readonly fixedNow: number | undefined,
    /** evaluateAll: memoise everything up front, since every entity will be visited. */
    memoise: boolean,
  ) {
    if (memoise) {
      this.gateMemo = new Map();
      this.configMemo = new Map();
      this.hashMemo = new Map();
    }
  }

  ensureMemo(): void {
    if (this.gateMemo === null) {
      this.gateMemo = new Map();
      this.configMemo = new Map();
    }
  }

  now(): number {
    if (this.nowMs < 0) this.nowMs = this.fixedNow ?? Date.now();
    return this.nowMs;
  }

  /** SHA-256 bucket (u64 mod 10000) of a hash key; layer salts repeat across rules, so memoised. */
  bucket(key: string): number {
    const memo = this.hashMemo;
    if (memo === null) return sha256Mod10000(key);
    let v = memo.get(key);
    if (v === undefined) {
      v = sha256Mod10000(key);
      memo.set(key, v);
    }
    return v;
  }

  /** `user[field]`-style lookup that sees the substituted environment (see ResolvedEnvironment). */
  fromUser(field: string, lower: string, fieldIsEnvironment: boolean): unknown {
    if (fieldIsEnvironment && this.environment.replaced) {
      const u = this.user as Record<string, unknown>;
      // only user[field] is replaced; the remaining fallbacks stay as statsig-node reads them
      return this.environment.env ?? getFromUser({ ...u, statsigEnvironment: undefined }, field, lower);
    }
    return getFromUser(this.user, field, lower);
  }

  /** The statsigEnvironment object the conditions read. */
  environmentObject(): unknown {
    return this.environment.replaced ? this.environment.env : this.user.statsigEnvironment;
  }

  parsedUserAgent(): ParsedUserAgent | null {
    if (this.ua === undefined) {
      const ua = getFromUser(this.user, 'userAgent', 'useragent');
      this.ua = typeof ua === 'string' && ua.length <= 1000 ? parseUserAgent(ua) : null;
    }
    return this.ua;
  }

  countryFromIP(): string | null {
    if (this.country === undefined) this.country = countryFromIP(getFromUser(this.user, 'ip', 'ip'));
    return this.country;
  }
}
