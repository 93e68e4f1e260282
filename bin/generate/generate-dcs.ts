/**
 * Seeded generator of realistic download_config_specs (v1) payloads in the shapes the Statsig console
 * produces (reference §2 and §5.9): gates with public / rollout / targeting rules using every
 * condition type and operator, segments (one backed by an ID list), holdouts, dynamic configs,
 * experiments (id overrides, holdouts, layer assignment, targeting gates, groups), layers with
 * experimentAssignment delegation, target apps and client-key maps.
 *
 * Same (size, seed) -> byte-identical JSON.
 */
import { createRng, type Rng } from './prng';
import { COMPANY_IDS, PLANS, ROLES, TAGS, stableIdFor, userIdFor } from './generate-users';

export type DcsSize = 'small' | 'large' | 'larger' | 'xlarge';
export const DCS_SIZES: readonly DcsSize[] = ['small', 'large', 'larger', 'xlarge'];

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObj = { [k: string]: Json };

export interface DcsCondition {
  type: string;
  targetValue: Json;
  operator: string | null;
  field: string | null;
  additionalValues: JsonObj;
  isDeviceBased: boolean;
  idType: string;
}
export interface DcsRule {
  name: string;
  passPercentage: number;
  conditions: DcsCondition[];
  returnValue: Json;
  id: string;
  salt: string;
  isDeviceBased: boolean;
  idType: string;
  groupName?: string;
  isExperimentGroup?: boolean;
  configDelegate?: string;
}
export interface DcsSpec {
  name: string;
  type: 'feature_gate' | 'dynamic_config';
  salt: string;
  enabled: boolean;
  defaultValue: Json;
  rules: DcsRule[];
  isDeviceBased: boolean;
  idType: string;
  entity: 'feature_gate' | 'segment' | 'holdout' | 'dynamic_config' | 'experiment' | 'autotune' | 'layer';
  version: number;
  targetAppIDs?: string[];
  isActive?: boolean;
  hasSharedParams?: boolean;
  explicitParameters?: string[];
}
export interface DcsV1 {
  has_updates: true;
  time: number;
  company_id: string;
  response_format: 'dcs-v1';
  feature_gates: DcsSpec[];
  dynamic_configs: DcsSpec[];
  layer_configs: DcsSpec[];
  layers: Record<string, string[]>;
  id_lists: Record<string, boolean>;
  diagnostics: Record<string, number>;
  sdk_flags: Record<string, boolean>;
  sdk_configs: Record<string, Json>;
  app_id?: string;
  default_environment?: string;
  sdk_keys_to_app_ids: Record<string, string>;
  hashed_sdk_keys_to_app_ids: Record<string, string>;
  hashed_sdk_keys_to_entities: Record<string, { gates: string[]; configs: string[] }>;
  hashed_sdk_key_used: string;
}

export interface ClientKeys {
  /** mapped through sdk_keys_to_app_ids (plain) -> app_web */
  plain: string;
  /** mapped through hashed_sdk_keys_to_app_ids (djb2) -> app_ios */
  hashed: string;
  /** hashed app map + hashed_sdk_keys_to_entities allow-list */
  entities: string;
  /** in no map: no filtering */
  unknown: string;
}

export interface GeneratedDcs {
  dcs: DcsV1;
  /** RAW ids per list name (the CLI / parseSpecs format) */
  idLists: Record<string, string[]>;
  secret: string;
  clientKeys: ClientKeys;
  size: DcsSize;
  seed: string | number;
}

export const CLIENT_KEYS: ClientKeys = {
  plain: 'client-key-web',
  hashed: 'client-key-ios',
  entities: 'client-key-partner',
  unknown: 'client-key-unmapped',
};

/** djb2 over UTF-16 code units, unsigned decimal (reference §6). Local copy: the generator must not depend on lib/. */
export function djb2(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return String(h >>> 0);
}

export function secretForSeed(seed: string | number): string {
  return `secret-gen-${String(seed)}`;
}

interface SizeParams {
  gates: number;
  segments: number;
  holdouts: number;
  configs: number;
  experiments: number;
  layers: number;
  /** parameters per layer / config value */
  params: [number, number];
}

const SIZES: Record<DcsSize, SizeParams> = {
  small: { gates: 26, segments: 4, holdouts: 2, configs: 10, experiments: 9, layers: 3, params: [2, 4] },
  large: { gates: 200, segments: 8, holdouts: 3, configs: 100, experiments: 50, layers: 10, params: [2, 5] },
  // between large and xlarge (about 2.3× large), so bootstrap growth with size shows as a curve
  larger: { gates: 460, segments: 18, holdouts: 7, configs: 230, experiments: 115, layers: 23, params: [2, 5] },
  xlarge: { gates: 1000, segments: 40, holdouts: 15, configs: 500, experiments: 250, layers: 50, params: [2, 5] },
};

const ALL_APPS = ['app_web', 'app_ios', 'app_server'];
const WORDS = [
  'checkout', 'search', 'onboarding', 'billing', 'profile', 'feed', 'cart', 'pricing', 'signup', 'login', 'nav',
  'banner', 'promo', 'ranking', 'recs', 'chat', 'upload', 'share', 'invite', 'dark_mode', 'editor', 'export',
  'import', 'reports', 'alerts', 'inbox', 'settings', 'mobile', 'desktop', 'api', 'sso', 'audit', 'teams',
];
const FIXED_PAST = 1704067200000; // 2024-01-01
const FIXED_FUTURE = 4102444800000; // 2100-01-01

function cond(
  type: string,
  operator: string | null,
  targetValue: Json,
  field: string | null = null,
  idType = 'userID',
  additionalValues: JsonObj = {},
): DcsCondition {
  return { type, targetValue, operator, field, additionalValues, isDeviceBased: idType === 'stableID', idType };
}

class Builder {
  readonly gates: DcsSpec[] = [];
  readonly segments: DcsSpec[] = [];
  readonly holdouts: DcsSpec[] = [];
  /** gate name -> nesting level (0 = references no other gate) */
  readonly level = new Map<string, number>();
  readonly idLists: Record<string, string[]> = {};
  private usedNames = new Set<string>();

  constructor(readonly rng: Rng, readonly p: SizeParams, readonly size: DcsSize) {}

  name(prefix: string, suffix = ''): string {
    for (;;) {
      const base = `${prefix}${this.rng.pick(WORDS)}_${this.rng.pick(WORDS)}${suffix}`;
      const n = this.usedNames.has(base) ? `${base}_${this.usedNames.size}` : base;
      if (!this.usedNames.has(n)) {
        this.usedNames.add(n);
        return n;
      }
    }
  }

  apps(): string[] | undefined {
    const r = this.rng.next();
    if (r < 0.72) return ALL_APPS.slice();
    if (r < 0.82) return ['app_web'];
    if (r < 0.9) return ['app_ios', 'app_server'];
    if (r < 0.95) return ['app_web', 'app_server'];
    return undefined; // no targetAppIDs: excluded whenever a client key resolves to an app
  }

  rule(init: Partial<DcsRule> & { conditions: DcsCondition[]; returnValue: Json }): DcsRule {
    const id = init.id ?? this.rng.id();
    const idType = init.idType ?? 'userID';
    const rule: DcsRule = {
      name: init.name ?? id,
      passPercentage: init.passPercentage ?? 100,
      conditions: init.conditions,
      returnValue: init.returnValue,
      id,
      salt: init.salt ?? id,
      isDeviceBased: idType === 'stableID',
      idType,
    };
    if (init.groupName !== undefined) rule.groupName = init.groupName;
    if (init.isExperimentGroup !== undefined) rule.isExperimentGroup = init.isExperimentGroup;
    if (init.configDelegate !== undefined) rule.configDelegate = init.configDelegate;
    return rule;
  }

  pct(): number {
    return this.rng.pick([0, 1, 5, 10, 20, 25, 33.3, 50, 50, 75, 90, 99.9, 100]);
  }

  pctRuleId(pct: number): string {
    return `${this.rng.id()}:${pct.toFixed(2)}:${this.rng.int(1, 9)}`;
  }

  /** Earlier gates up to `maxLevel` (no cycles: only already-built gates are referenced). */
  gateRefs(maxLevel: number, k: number, includeSegments = true): string[] {
    const pool: string[] = [];
    for (const g of this.gates) if ((this.level.get(g.name) ?? 0) <= maxLevel) pool.push(g.name);
    if (includeSegments) for (const s of this.segments) pool.push(s.name);
    for (const h of this.holdouts) pool.push(h.name);
    if (pool.length === 0) return [];
    return this.rng.sample(pool, k);
  }

  idList(name: string, ids: string[]): string {
    this.idLists[name] = ids;
    return name;
  }

  /** A random non-gate condition of one of the console's types. */
  leafCondition(): DcsCondition {
    const rng = this.rng;
    switch (rng.int(0, 33)) {
      case 0:
        return cond('user_field', 'str_ends_with_any', ['@example.com', '@example.org'], 'email');
      case 1:
        return cond('user_field', rng.pick(['str_contains_any', 'str_contains_none']), rng.sample(['spam', 'corp', 'test', 'ACME', '.io'], 2), 'email');
      case 2:
        return cond('user_field', 'str_matches', rng.pick(['^[a-z]+(\\.[0-9]+)?@(example|test)\\.(com|org)$', '@gmail\\.com$', '^(alice|bob)', '[', '\\d{2,}@']), 'email');
      case 3:
        return cond('user_field', 'str_starts_with_any', rng.sample(['user-1', 'user-2', 'user-9', 'admin', 'USER-3'], 2), 'userID');
      case 4:
        return cond('user_field', rng.pick(['any', 'none']), rng.sample(['US', 'CA', 'GB', 'DE', 'fr', 'JP', 'BR'], rng.int(1, 3)), 'country');
      case 5:
        return cond('user_field', rng.pick(['any_case_sensitive', 'none_case_sensitive', 'any']), rng.sample(['en_US', 'en_GB', 'fr_FR', 'en-us', 'ja_JP'], 2), 'locale');
      case 6:
        return cond(
          'user_field',
          rng.pick(['version_gt', 'version_gte', 'version_lt', 'version_lte', 'version_eq', 'version_neq']),
          rng.pick(['2.3.0', '2.4', '3.0.0', '1.2.0', '2.10.0', '3.0.0-beta', '10']),
          'appVersion',
        );
      case 7:
        return cond('user_field', rng.pick(['eq', 'neq']), rng.pick(PLANS), 'plan', 'userID', { custom_field: 'plan' });
      case 8:
        return cond('user_field', rng.pick(['any', 'none']), rng.sample(PLANS, 2), rng.pick(['plan', 'Plan']), 'userID', { custom_field: 'plan' });
      case 9:
        return cond('user_field', rng.pick(['gt', 'gte', 'lt', 'lte']), rng.pick([5, 10, 12, '10', 20.5, '1e1']), 'level', 'userID', { custom_field: 'level' });
      case 10:
        return cond('user_field', 'eq', rng.pick([true, 'true', false]), 'verified', 'userID', { custom_field: 'verified' });
      case 11:
        return cond('user_field', rng.pick(['gte', 'lt']), rng.pick([18, 21, 65, '30']), 'age', 'userID', { custom_field: 'age' });
      case 12:
        return cond(
          'user_field',
          rng.pick(['array_contains_any', 'array_contains_all', 'array_contains_none', 'not_array_contains_all']),
          rng.sample(TAGS, rng.int(1, 2)),
          'tags',
          'userID',
          { custom_field: 'tags' },
        );
      case 13:
        return cond('user_field', rng.pick(['array_contains_any', 'array_contains_all']), rng.pick([['1'], ['1', '2'], [1], ['3']]), 'nums', 'userID', { custom_field: 'nums' });
      case 14:
        return cond(
          'user_field',
          rng.pick(['before', 'after', 'on']),
          rng.pick([1717200000000, 1650000000, '2023-06-01T00:00:00Z', '2022-01-15', 1700000000000, 1735689600000]),
          'signupTime',
          'userID',
          { custom_field: 'signupTime' },
        );
      case 15:
        return cond('user_field', 'str_contains_any', rng.sample(['emea', 'na', 'APAC'], 1), 'region', 'userID', { custom_field: 'region' });
      case 16:
        return cond('ip_based', rng.pick(['any', 'none']), rng.sample(['US', 'CA', 'GB', 'FR', 'RU', 'JP', 'BR', 'CN', 'DE'], rng.int(1, 3)), 'country');
      case 17:
        return cond('ua_based', rng.pick(['any', 'none']), rng.sample(['Chrome', 'Chrome Mobile', 'Firefox', 'Firefox Mobile', 'Safari', 'Mobile Safari', 'Edge', 'Samsung Browser'], 2), 'browser_name');
      case 18:
        return cond('ua_based', 'any', rng.sample(['iOS', 'Android', 'Mac OS X', 'Windows', 'Linux', 'Ubuntu'], 2), 'os_name');
      case 19:
        return cond('ua_based', rng.pick(['version_gte', 'version_lt']), rng.pick(['100.0', '119', '120.0.0.0', '15.0']), 'browser_version');
      case 20:
        return cond('ua_based', rng.pick(['version_gte', 'version_gt']), rng.pick(['14', '16.0', '10.15']), 'os_version');
      case 21:
        return cond('environment_field', rng.pick(['any', 'none']), rng.sample(['staging', 'development', 'production'], rng.int(1, 2)), 'tier');
      case 22:
        return cond('unit_id', 'any', Array.from({ length: rng.int(3, 12) }, () => userIdFor(rng.int(0, 1500))), null, 'userID');
      case 23:
        return cond('unit_id', rng.pick(['any', 'none', 'any_case_sensitive']), rng.sample(COMPANY_IDS, 2), null, 'companyID');
      case 24:
        return cond('unit_id', 'any', Array.from({ length: rng.int(2, 6) }, () => stableIdFor(rng.int(0, 1500))), null, 'stableID');
      case 25: {
        const salt = rng.uuid();
        return cond('user_bucket', rng.pick(['lt', 'gte']), rng.int(50, 950), null, rng.pick(['userID', 'userID', 'stableID']), { salt });
      }
      case 26: {
        const salt = rng.uuid();
        const start = rng.int(0, 800);
        const buckets = Array.from({ length: rng.int(20, 200) }, (_, i) => start + i).filter((b) => b < 1000);
        return cond('user_bucket', rng.pick(['any', 'none']), buckets, null, 'userID', { salt });
      }
      case 27:
        return cond('current_time', rng.pick(['after', 'before']), rng.pick([FIXED_PAST, FIXED_FUTURE, 1735689600]), null);
      case 28:
        return cond('target_app', rng.pick(['any', 'none']), rng.sample(['app_web', 'app_ios', 'app_server'], rng.int(1, 2)), null);
      case 29:
        return cond('user_field', rng.pick(['any', 'none']), Array.from({ length: rng.int(2, 8) }, () => userIdFor(rng.int(0, 1500))), 'userID');
      case 30:
        return cond('user_field', rng.pick(['eq', 'neq']), rng.pick(['1.02', 'en_US', '', null]), rng.pick(['appVersion', 'locale']));
      case 31:
        return cond('user_field', 'array_contains_none', rng.sample(ROLES, 1), 'roles', 'userID', { custom_field: 'roles' });
      case 32:
        return cond('user_field', 'gt', rng.pick(['1.5', 50, '49.9']), 'score', 'userID', { custom_field: 'score' });
      default:
        return cond('ip_based', 'any', ['8.8.8.8', '1.1.1.1'], 'ip');
    }
  }

  nestedCondition(maxLevel: number, includeSegments = true): DcsCondition {
    const r = this.rng.next();
    const one = () => this.gateRefs(maxLevel, 1, includeSegments)[0] ?? 'missing_gate';
    if (r < 0.4) return cond('pass_gate', null, one());
    if (r < 0.7) return cond('fail_gate', null, one());
    if (r < 0.88) return cond('multi_pass_gate', null, this.gateRefs(maxLevel, this.rng.int(2, 3), includeSegments));
    return cond('multi_fail_gate', null, this.gateRefs(maxLevel, this.rng.int(2, 3), includeSegments));
  }

  segment(i: number): DcsSpec {
    const rng = this.rng;
    const name = `segment:${i === 0 ? 'blocked_users' : i === 1 ? 'blocked_companies' : this.name('', '_users')}`;
    let rules: DcsRule[];
    if (i === 0) {
      const list = this.idList(
        'blocked_users_list',
        Array.from({ length: 40 }, (_, k) => userIdFor(k * 13 + 3)).concat([stableIdFor(7)]),
      );
      rules = [this.rule({ id: 'id_list', name: 'id_list', conditions: [cond('unit_id', 'in_segment_list', list, null, 'userID')], returnValue: true })];
    } else if (i === 1) {
      const list = this.idList('blocked_companies_list', ['acme', 'Globex', 'wayne']);
      rules = [
        this.rule({ id: 'id_list', name: 'id_list', conditions: [cond('unit_id', 'in_segment_list', list, null, 'companyID')], returnValue: true, idType: 'companyID' }),
      ];
    } else if (i === 2) {
      const list = this.idList(
        'trusted_devices_list',
        Array.from({ length: 60 }, (_, k) => stableIdFor(k * 7 + 1)),
      );
      rules = [
        this.rule({ id: 'id_list', name: 'id_list', conditions: [cond('unit_id', 'not_in_segment_list', list, null, 'stableID')], returnValue: true, idType: 'stableID', passPercentage: rng.pick([100, 50]) }),
      ];
    } else {
      rules = Array.from({ length: rng.int(1, 2) }, () =>
        this.rule({ conditions: Array.from({ length: rng.int(1, 2) }, () => this.leafCondition()), returnValue: true }),
      );
    }
    return {
      name,
      type: 'feature_gate',
      salt: rng.uuid(),
      enabled: true,
      defaultValue: false,
      rules,
      isDeviceBased: false,
      idType: 'userID',
      entity: 'segment',
      version: rng.int(1, 5),
      targetAppIDs: ALL_APPS.slice(),
    };
  }

  holdout(i: number): DcsSpec {
    const rng = this.rng;
    const name = i === 0 ? 'global_holdout' : this.name('holdout_');
    const pct = rng.pick([1, 2, 5, 10]);
    const rules = [this.rule({ name: 'holdout', conditions: [cond('public', null, null)], returnValue: true, passPercentage: pct })];
    if (rng.chance(0.3)) {
      rules.unshift(this.rule({ name: 'exclude overrides', conditions: [cond('unit_id', 'any', [userIdFor(1), userIdFor(2)], null, 'userID')], returnValue: true, passPercentage: 0 }));
    }
    return {
      name,
      type: 'feature_gate',
      salt: rng.uuid(),
      enabled: true,
      defaultValue: false,
      rules,
      isDeviceBased: false,
      idType: 'userID',
      entity: 'holdout',
      version: 1,
      targetAppIDs: ALL_APPS.slice(),
    };
  }

  gate(i: number): DcsSpec {
    const rng = this.rng;
    const name = this.name('', '_gate');
    const maxRefLevel = Math.min(2, Math.floor((i / this.p.gates) * 4));
    const kindRoll = rng.next();
    let rules: DcsRule[] = [];
    let level = 0;
    const idType = rng.chance(0.1) ? 'stableID' : rng.chance(0.05) ? 'companyID' : 'userID';
    if (kindRoll < 0.1) {
      rules = [this.rule({ name: 'everyone', conditions: [cond('public', null, null)], returnValue: true })];
    } else if (kindRoll < 0.28) {
      const pct = this.pct();
      rules = [this.rule({ name: `${pct}% of everyone`, id: this.pctRuleId(pct), conditions: [cond('public', null, null)], returnValue: true, passPercentage: pct, idType })];
    } else if (kindRoll < 0.72 || i < 10) {
      const n = rng.int(1, 3);
      for (let r = 0; r < n; r++) {
        const pct = rng.chance(0.7) ? 100 : this.pct();
        const conditions = Array.from({ length: rng.int(1, 3) }, () => this.leafCondition());
        rules.push(this.rule({ name: `targeting ${r}`, id: pct === 100 ? rng.id() : this.pctRuleId(pct), conditions, returnValue: true, passPercentage: pct, idType, salt: rng.chance(0.1) ? '' : undefined }));
      }
      if (rng.chance(0.25)) {
        rules.unshift(
          this.rule({
            name: 'admins:id_override',
            id: `${rng.id()}:id_override`,
            salt: '',
            conditions: [cond('unit_id', 'any', [userIdFor(rng.int(0, 1200)), 'admin-1', 'Admin-2'], null, 'userID')],
            returnValue: true,
          }),
        );
      }
    } else {
      const n = rng.int(1, 3);
      for (let r = 0; r < n; r++) {
        const pct = rng.chance(0.75) ? 100 : this.pct();
        const conditions = [this.nestedCondition(maxRefLevel)];
        if (rng.chance(0.4)) conditions.push(this.leafCondition());
        rules.push(this.rule({ name: `nested ${r}`, conditions, returnValue: true, passPercentage: pct, idType }));
      }
      let maxSeen = 0;
      for (const r of rules)
        for (const c of r.conditions) {
          const refs = typeof c.targetValue === 'string' ? [c.targetValue] : Array.isArray(c.targetValue) && c.type.includes('gate') ? (c.targetValue as string[]) : [];
          for (const ref of refs) maxSeen = Math.max(maxSeen, this.level.get(ref) ?? 0);
        }
      level = maxSeen + 1;
    }
    if (this.size === 'small' && i === 5) {
      // a condition type this SDK generation does not know (Rust-only `experiment_group`): Unsupported
      rules.splice(Math.min(1, rules.length), 0, this.rule({ name: 'future condition', conditions: [cond('experiment_group', 'any', ['Control'], 'some_experiment')], returnValue: true }));
    }
    if (this.size === 'small' && i === 6) {
      rules.push(this.rule({ name: 'future operator', conditions: [cond('user_field', 'str_sounds_like', ['alice'], 'email')], returnValue: true }));
    }
    this.level.set(name, level);
    const spec: DcsSpec = {
      name,
      type: 'feature_gate',
      salt: rng.uuid(),
      enabled: !rng.chance(0.04),
      defaultValue: false,
      rules,
      isDeviceBased: idType === 'stableID',
      idType,
      entity: 'feature_gate',
      version: rng.int(1, 40),
    };
    const apps = this.apps();
    if (apps) spec.targetAppIDs = apps;
    return spec;
  }

  paramValue(key: string): Json {
    const rng = this.rng;
    switch (rng.int(0, 7)) {
      case 0:
        return rng.pick(['blue', 'green', 'red', 'control', 'variant_a', `${key}_on`, 'Ünïcödé ✓', 'quote " and \\ slash', 'line\nbreak']);
      case 1:
        return rng.int(0, 1000);
      case 2:
        return rng.int(0, 10000) / 100;
      case 3:
        return rng.chance(0.5);
      case 4:
        return rng.sample(['a', 'b', 'c', 'd', 'e'], rng.int(0, 4));
      case 5:
        return { enabled: rng.chance(0.5), limit: rng.int(1, 50) };
      case 6:
        return rng.pick([null, '', 0]);
      default:
        return `${rng.pick(WORDS)} ${rng.pick(WORDS)} copy`;
    }
  }

  paramSet(min: number, max: number): JsonObj {
    const out: JsonObj = {};
    const n = this.rng.int(min, max);
    for (let i = 0; i < n; i++) {
      const k = `${this.rng.pick(WORDS)}_${this.rng.pick(['color', 'size', 'limit', 'text', 'enabled', 'variant', 'ratio', 'items'])}`;
      out[k] = this.paramValue(k);
    }
    return out;
  }

  variant(base: JsonObj): JsonObj {
    const out: JsonObj = {};
    for (const [k, v] of Object.entries(base)) out[k] = this.rng.chance(0.6) ? this.paramValue(k) : v;
    return out;
  }

  config(i: number): DcsSpec {
    const rng = this.rng;
    const name = this.name('', '_config');
    const idType = rng.chance(0.15) ? 'stableID' : rng.chance(0.05) ? 'companyID' : 'userID';
    const def = this.paramSet(this.p.params[0], this.p.params[1]);
    const rules: DcsRule[] = [];
    const n = rng.int(0, 3);
    for (let r = 0; r < n; r++) {
      const pct = rng.chance(0.75) ? 100 : this.pct();
      const conditions = rng.chance(0.2) ? [this.nestedCondition(3)] : Array.from({ length: rng.int(1, 2) }, () => this.leafCondition());
      const groupName = rng.pick(['North America', 'Beta users', 'Mobile', 'Enterprise', 'Rollout', `Rule ${r + 1}`]);
      rules.push(this.rule({ name: groupName, conditions, returnValue: this.variant(def), passPercentage: pct, idType, groupName }));
    }
    const spec: DcsSpec = {
      name,
      type: 'dynamic_config',
      salt: rng.uuid(),
      enabled: !rng.chance(0.04) || i === 0,
      defaultValue: def,
      rules,
      isDeviceBased: idType === 'stableID',
      idType,
      entity: 'dynamic_config',
      version: rng.int(1, 20),
    };
    const apps = this.apps();
    if (apps) spec.targetAppIDs = apps;
    return spec;
  }

  /**
   * An experiment. With `layer`, it lives in that layer (hasSharedParams, explicitParameters,
   * layerAssignment on the layer salt over `buckets`); otherwise it has its own hidden allocation.
   */
  experiment(layer: { name: string; salt: string; defaults: JsonObj; buckets: number[] } | null, index: number): DcsSpec {
    const rng = this.rng;
    const name = this.name('exp_');
    const salt = rng.uuid();
    const idType = rng.chance(0.2) ? 'stableID' : rng.chance(0.05) ? 'companyID' : 'userID';
    const isActive = !rng.chance(0.1);
    const base: JsonObj = layer ? { ...layer.defaults } : this.paramSet(this.p.params[0], this.p.params[1]);
    const explicit = layer ? rng.sample(Object.keys(layer.defaults), rng.int(1, Math.max(1, Object.keys(layer.defaults).length - 1))) : undefined;
    const groupCount = rng.pick([2, 2, 2, 3, 4]);
    const groupNames = ['Control', 'Test', 'Test B', 'Test C'].slice(0, groupCount);
    const groupValues = groupNames.map((g, gi) => {
      if (gi === 0) return { ...base };
      const v: JsonObj = { ...base };
      for (const k of explicit ?? Object.keys(base)) v[k] = this.paramValue(k);
      return v;
    });
    const rules: DcsRule[] = [];
    // 1. id overrides
    if (rng.chance(0.5)) {
      const g = rng.int(0, groupCount - 1);
      rules.push(
        this.rule({
          name: `${groupNames[g]} override`,
          id: `${rng.id()}:userID:id_override`,
          salt: '',
          conditions: [cond('unit_id', 'any', Array.from({ length: rng.int(2, 8) }, () => userIdFor(rng.int(0, 1200))), null, 'userID')],
          returnValue: groupValues[g] as JsonObj,
          groupName: groupNames[g] as string,
        }),
      );
    }
    if (rng.chance(0.2)) {
      const g = rng.int(0, groupCount - 1);
      rules.push(
        this.rule({
          name: `${groupNames[g]} device override`,
          id: `${rng.id()}:stableID:id_override`,
          salt: '',
          conditions: [cond('unit_id', 'any', [stableIdFor(rng.int(0, 1000)), stableIdFor(rng.int(0, 1000))], null, 'stableID')],
          returnValue: groupValues[g] as JsonObj,
          groupName: groupNames[g] as string,
          idType: 'stableID',
        }),
      );
    }
    if (!isActive) {
      // a decided (shipped or abandoned) experiment: one launched group for everyone
      const g = rng.int(0, groupCount - 1);
      rules.push(this.rule({ name: 'launchedGroup', conditions: [cond('public', null, null)], returnValue: groupValues[g] as JsonObj, groupName: groupNames[g] as string }));
    } else {
      // 2. holdouts
      const holdouts = rng.sample(this.holdouts.map((h) => h.name), rng.chance(0.6) ? rng.int(1, 2) : 0);
      for (const h of holdouts) {
        rules.push(this.rule({ name: h, conditions: [cond('pass_gate', null, h)], returnValue: base, passPercentage: 0, salt: '', groupName: h === 'global_holdout' ? 'global_holdout' : h }));
      }
      // 3. layer assignment
      if (layer) {
        const notAllocated = [];
        const mine = new Set(layer.buckets);
        for (let b = 0; b < 1000; b++) if (!mine.has(b)) notAllocated.push(b);
        rules.push(
          this.rule({
            name: 'layerAssignment',
            id: 'layerAssignment',
            salt: '',
            conditions: [cond('user_bucket', 'none', layer.buckets, null, idType, { salt: layer.salt })],
            returnValue: base,
            groupName: 'Layer Assignment',
            idType,
          }),
        );
        void notAllocated;
      } else if (rng.chance(0.6)) {
        const allocated = rng.int(100, 1000);
        rules.push(
          this.rule({
            name: 'layerAssignment',
            id: 'layerAssignment',
            salt: '',
            conditions: [cond('user_bucket', 'none', Array.from({ length: allocated }, (_, b) => b), null, idType, { salt: rng.uuid() })],
            returnValue: base,
            groupName: 'Layer Assignment',
            idType,
          }),
        );
      }
      // 4. targeting
      const t = rng.next();
      if (t < 0.3) {
        const gate = this.gateRefs(3, 1, false)[0];
        if (gate) rules.push(this.rule({ name: 'targetingGate', id: 'targetingGate', salt: '', conditions: [cond('fail_gate', null, gate)], returnValue: base, groupName: `Targeting Gate (${gate})` }));
      } else if (t < 0.5) {
        rules.push(this.rule({ name: 'inlineTargetingRules', id: 'inlineTargetingRules', salt: '', conditions: [this.leafCondition()], returnValue: base, groupName: 'Inline Targeting Rules' }));
      }
      // 5. groups: cumulative user_bucket thresholds on the experiment salt
      let acc = 0;
      for (let g = 0; g < groupCount; g++) {
        acc = g === groupCount - 1 ? 1000 : acc + Math.floor(1000 / groupCount);
        rules.push(
          this.rule({
            name: groupNames[g] as string,
            conditions: [cond('user_bucket', 'lt', acc, null, idType, { salt })],
            returnValue: groupValues[g] as JsonObj,
            groupName: groupNames[g] as string,
            isExperimentGroup: true,
            idType,
          }),
        );
      }
    }
    const spec: DcsSpec = {
      name,
      type: 'dynamic_config',
      salt,
      enabled: index !== 3 || this.size !== 'small' ? true : false,
      defaultValue: base,
      rules,
      isDeviceBased: idType === 'stableID',
      idType,
      entity: 'experiment',
      version: rng.int(1, 30),
      isActive,
      hasSharedParams: layer != null,
    };
    if (explicit) spec.explicitParameters = explicit;
    const apps = this.apps();
    if (apps) spec.targetAppIDs = apps;
    return spec;
  }

  autotune(): DcsSpec {
    const rng = this.rng;
    const def = this.paramSet(1, 2);
    return {
      name: this.name('autotune_'),
      type: 'dynamic_config',
      salt: rng.uuid(),
      enabled: true,
      defaultValue: def,
      rules: [
        this.rule({ name: 'winner', conditions: [cond('public', null, null)], returnValue: this.variant(def), passPercentage: 80, groupName: 'winner' }),
        this.rule({ name: 'explore', conditions: [cond('public', null, null)], returnValue: this.variant(def), groupName: 'explore' }),
      ],
      isDeviceBased: false,
      idType: 'userID',
      entity: 'autotune',
      version: 1,
      targetAppIDs: ALL_APPS.slice(),
    };
  }
}

/** Generate a DCS v1 payload, its ID lists and the keys that go with it. */
export function generateDcs(opts: { size: DcsSize; seed: string | number; secret?: string }): GeneratedDcs {
  const { size, seed } = opts;
  const p = SIZES[size];
  const rng = createRng(`dcs/${size}/${String(seed)}`);
  const b = new Builder(rng, p, size);
  const secret = opts.secret ?? secretForSeed(seed);

  for (let i = 0; i < p.segments; i++) b.segments.push(b.segment(i));
  for (let i = 0; i < p.holdouts; i++) b.holdouts.push(b.holdout(i));
  for (let i = 0; i < p.gates; i++) b.gates.push(b.gate(i));
  // Segments that reference gates (a realistic "segment of a gate" shape) go after the gates.
  const lastSegment = b.segments[b.segments.length - 1];
  if (lastSegment && p.segments > 3) {
    // only level-0 gates (no gate references of their own) and no segments: no cycles
    lastSegment.rules.push(b.rule({ conditions: [b.nestedCondition(0, false)], returnValue: true }));
  }

  const configs: DcsSpec[] = [];
  for (let i = 0; i < p.configs; i++) configs.push(b.config(i));

  const layerSpecs: DcsSpec[] = [];
  const layers: Record<string, string[]> = {};
  const experiments: DcsSpec[] = [];
  const unlayered = Math.max(1, Math.round(p.experiments * 0.1));
  const layered = p.experiments - unlayered;
  for (let l = 0; l < p.layers; l++) {
    const layerName = b.name('', '_layer');
    const layerSalt = rng.uuid();
    const defaults = b.paramSet(p.params[0] + 1, p.params[1] + 1);
    // the last layer of the small size stays empty (no experiments): default value only
    const count = size === 'small' && l === p.layers - 1 ? 0 : Math.floor(layered / (size === 'small' ? p.layers - 1 : p.layers)) + (l < layered % p.layers ? 1 : 0);
    const rules: DcsRule[] = [];
    layers[layerName] = [];
    // partition the 1000 buckets: each experiment gets a slice, some stay unallocated
    let cursor = 0;
    const share = count > 0 ? Math.floor(1000 / (count + 1)) : 0;
    for (let e = 0; e < count; e++) {
      const width = rng.int(Math.floor(share / 2), share);
      const buckets = Array.from({ length: width }, (_, k) => cursor + k);
      cursor += width + rng.int(0, Math.floor(share / 3));
      const exp = b.experiment({ name: layerName, salt: layerSalt, defaults, buckets }, experiments.length);
      experiments.push(exp);
      layers[layerName].push(exp.name);
      rules.push(
        b.rule({
          name: 'experimentAssignment',
          id: 'experimentAssignment',
          salt: '',
          conditions: [cond('user_bucket', 'any', buckets, null, exp.idType, { salt: layerSalt })],
          returnValue: defaults,
          groupName: 'Experiment Assignment',
          configDelegate: exp.name,
          idType: exp.idType,
        }),
      );
    }
    if (size === 'small' && l === 0) {
      // a delegate that no longer exists: the rule behaves like a plain rule (reference §5.3)
      rules.push(
        b.rule({
          name: 'experimentAssignment',
          id: 'experimentAssignment',
          salt: '',
          conditions: [cond('user_bucket', 'any', [990, 991, 992, 993, 994, 995, 996, 997, 998, 999], null, 'userID', { salt: layerSalt })],
          returnValue: defaults,
          groupName: 'Experiment Assignment',
          configDelegate: 'exp_deleted_experiment',
        }),
      );
    }
    const spec: DcsSpec = {
      name: layerName,
      type: 'dynamic_config',
      salt: layerSalt,
      enabled: true,
      defaultValue: defaults,
      rules,
      isDeviceBased: false,
      idType: 'userID',
      entity: 'layer',
      version: rng.int(1, 10),
    };
    const apps = b.apps();
    if (apps) spec.targetAppIDs = apps;
    layerSpecs.push(spec);
  }
  for (let i = 0; i < unlayered; i++) experiments.push(b.experiment(null, experiments.length));
  const dynamicConfigs = [...configs, ...experiments];
  if (size === 'small') dynamicConfigs.push(b.autotune());
  // interleave like the console (entity kinds are mixed in one array)
  const dc = rng.sample(dynamicConfigs, dynamicConfigs.length);
  const fg = [...b.gates, ...b.segments, ...b.holdouts];
  const featureGates = rng.sample(fg, fg.length);

  const allGateNames = featureGates.map((g) => g.name);
  const allConfigNames = dc.map((c) => c.name);
  const entities = {
    gates: rng.sample(allGateNames, Math.ceil(allGateNames.length * 0.3)).concat(['gate_that_does_not_exist']),
    configs: rng.sample(allConfigNames, Math.ceil(allConfigNames.length * 0.3)),
  };

  const dcs: DcsV1 = {
    has_updates: true,
    time: 1735689600000 + (typeof seed === 'number' ? seed : seed.length) * 1000,
    company_id: `company-${String(seed)}`,
    response_format: 'dcs-v1',
    feature_gates: featureGates,
    dynamic_configs: dc,
    layer_configs: layerSpecs,
    layers,
    id_lists: Object.fromEntries(Object.keys(b.idLists).map((n) => [n, true])),
    diagnostics: { initialize: 10000, dcs: 1000, download_config_specs: 1000, idlist: 100, get_id_list: 100, log_event: 100, api_call: 100 },
    sdk_flags: {},
    sdk_configs: { event_queue_size: 500 },
    sdk_keys_to_app_ids: { [CLIENT_KEYS.plain]: 'app_web' },
    hashed_sdk_keys_to_app_ids: { [djb2(CLIENT_KEYS.hashed)]: 'app_ios', [djb2(CLIENT_KEYS.entities)]: 'app_web' },
    hashed_sdk_keys_to_entities: { [djb2(CLIENT_KEYS.entities)]: entities },
    hashed_sdk_key_used: djb2(secret),
  };
  if (size !== 'xlarge') dcs.app_id = 'app_server';
  if (size !== 'small') dcs.default_environment = 'production';
  return { dcs, idLists: b.idLists, secret, clientKeys: CLIENT_KEYS, size, seed };
}
