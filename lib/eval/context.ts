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
import { getFromUser, getUnitID } from '../user/fields';
import { sha256Mod10000Prefixed, type Sha256Prefix } from '../hash/sha256';
import type { EvalResult } from './result';

/** Nested evaluations deeper than this are reported Unsupported (statsig-node has no guard). */
export const MAX_DEPTH = 300;

/** Marks a user-field memo slot not read yet. */
const UNREAD: unique symbol = Symbol('unread');

export class EvalContext {
  /** spec.index -> result; null marks an evaluation in progress (a cycle when met again). */
  gateMemo: (EvalResult | null | undefined)[] | null = null;
  configMemo: (EvalResult | null | undefined)[] | null = null;
  /**
   * A single check's nested gates (spec.index -> result, null while in progress), when there is no
   * gateMemo: such a check meets a few gates, and a memo array sized to the project cost a
   * large-project checkGate ~1.7 KB (an xlarge one ~8 KB) a quarter of the time, most of its garbage.
   */
  gateMap: Map<number, EvalResult | null> | null = null;
  depth = 0;
  /** Bucket hash + 1 per compiled slot (0 = not computed yet). */
  private hashMemo: Uint16Array | null = null;
  /**
   * getFromUser results per compiled field slot: one evaluation reads the same few fields
   * (email, country, …) for many conditions, each a chain of up to six keyed lookups on the
   * caller's objects. Hand-written memo, measured on the large DCS bootstrap. The user is only
   * read, never written, during an evaluation, so a field cannot change between two reads.
   */
  private fieldMemo: unknown[] | null = null;
  private nestedCtx: EvalContext | null = null;
  private nowMs = -1;
  /** True while a check runs on a context kept for reuse (see context-factory's acquire/release). */
  busy = false;
  private ua: ParsedUserAgent | null | undefined = undefined;
  private country: string | null | undefined = undefined;

  constructor(
    readonly specs: Specs,
    /** The user read; rebound only on contexts kept for reuse, between two checks (see rebind). */
    public user: StatsigUser,
    readonly environment: ResolvedEnvironment,
    readonly overrides: LocalOverrides | null,
    /** The value `target_app` conditions see (§5.4): the client key's app, or the payload's app_id. */
    readonly targetApp: unknown,
    private readonly fixedNow: number | undefined,
    /** evaluateAll: memoise everything up front, since every entity will be visited. */
    memoise: boolean,
    /** What nested evaluations see for `target_app` (see nested()). */
    private readonly nestedTargetApp: unknown,
    /** Lower-case ID types whose unit must decide nothing here (see EvalOptions.withheldIdTypes). */
    readonly withheldIdTypes: ReadonlySet<string> | null = null,
    /** Where a finished check hands the context back to (see context-factory); null: not reused. */
    readonly reuse: 'plain' | 'prepared' | null = null,
  ) {
    if (memoise) {
      this.ensureMemo();
      this.hashMemo = new Uint16Array(specs.hashSlots);
      this.fieldMemo = new Array<unknown>(specs.fieldSlots).fill(UNREAD);
    } else if (reuse === 'prepared') {
      // a prepared user's snapshot cannot change, so its field reads stay valid from check to check
      this.fieldMemo = new Array<unknown>(specs.fieldSlots).fill(UNREAD);
    }
  }

  /**
   * Readies a reused context for the next check on `user`: what one check memoises (nested gates,
   * depth, the clock) is dropped; what depends on the user alone (fields, user agent, country) is
   * kept only for a prepared user, whose snapshot is frozen. Only plain contexts (no overrides,
   * options or nested target app) are reused, so nothing else carries over.
   */
  rebind(user: StatsigUser): void {
    this.user = user;
    // a layer's delegation gives the context project-wide memos (ensureMemo): they are this check's
    this.gateMemo = null;
    this.configMemo = null;
    // dropped, not cleared: Map#clear allocates a new table, and most checks meet no nested gate
    this.gateMap = null;
    this.depth = 0;
    this.nowMs = -1;
    if (this.reuse !== 'prepared') {
      this.ua = undefined;
      this.country = undefined;
    }
  }

  /**
   * The context for nested evaluations (pass_gate, layer delegation, the experiment re-evaluation
   * behind is_user_in_experiment). statsig-node passes the client key's target app only to the
   * top-level evaluation of each entity; nested ones see `undefined`. We keep that for bootstrap
   * parity, so with a mapped client key nested results are memoised separately.
   */
  nested(): EvalContext {
    if (Object.is(this.targetApp, this.nestedTargetApp)) return this;
    if (this.nestedCtx === null) {
      const t = this.nestedTargetApp;
      const n = new EvalContext(this.specs, this.user, this.environment, this.overrides, t, this.now(), false, t, this.withheldIdTypes);
      n.hashMemo = this.hashMemo;
      n.fieldMemo = this.fieldMemo;
      if (this.gateMemo !== null) n.ensureMemo();
      n.depth = this.depth;
      this.nestedCtx = n;
    }
    return this.nestedCtx;
  }

  ensureMemo(): void {
    if (this.gateMemo === null) this.gateMemo = new Array(this.specs.gates.size);
    if (this.configMemo === null) this.configMemo = new Array(this.specs.configs.size);
  }

  now(): number {
    if (this.nowMs < 0) this.nowMs = this.fixedNow ?? Date.now();
    return this.nowMs;
  }

  /**
   * SHA-256 bucket (u64 mod 10000) of `<prefix><unitID>`. Layer salts repeat across the layer's
   * and its experiments' rules, so one evaluateAll memoises by compiled slot.
   */
  bucket(slot: number, prefix: Sha256Prefix, idType: unknown, isUserID: boolean): number {
    const memo = this.hashMemo;
    if (memo !== null) {
      const v = memo[slot]!;
      if (v !== 0) return v - 1;
    }
    const unit = getUnitID(this.user, idType, isUserID) ?? '';
    // `'' + unit` converts exactly as the reference's `prefix + unit` does (valueOf first)
    const h = sha256Mod10000Prefixed(prefix, typeof unit === 'string' ? unit : '' + (unit as string));
    if (memo !== null) memo[slot] = h + 1;
    return h;
  }

  /** fromUser(field, lower, false), memoised by the field's compiled slot in evaluateAll contexts. */
  userField(slot: number, field: string, lower: string): unknown {
    const memo = this.fieldMemo;
    // a single check reads few fields: allocating the memo would cost more than it saves
    if (memo === null) return getFromUser(this.user, field, lower);
    const v = memo[slot];
    if (v !== UNREAD) return v;
    return (memo[slot] = getFromUser(this.user, field, lower));
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
