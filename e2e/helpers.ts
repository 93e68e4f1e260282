import { readFileSync } from 'node:fs';
import { expect, test, type BrowserContext, type Page, type Request } from '@playwright/test';
import { getExperiment, parseSpecs, type StatsigUser } from '../lib/index';
import { E2E, targetOf, type E2EFormat, type E2ETarget } from './env';

// ---------------------------------------------------------------------------------------------
// The server under test: one per Playwright project (bootstrap format)

/** The format of the running test's project (v1 when run without one). */
export function formatOf(metadata: Record<string, unknown> | undefined): E2EFormat {
  return metadata?.format === 'init-v2' ? 'init-v2' : 'v1';
}

/** The server the running test talks to (call inside a test; hooks use targetOf(formatOf(testInfo.project.metadata))). */
export function target(): E2ETarget {
  return targetOf(formatOf(test.info().project.metadata));
}

/** `response_format` of a client initialize response: 'init-v2' or absent (v1). */
export function payloadFormat(cir: { response_format?: unknown }): E2EFormat {
  return cir.response_format === 'init-v2' ? 'init-v2' : 'v1';
}

/**
 * The format of the bootstrap inside raw server HTML (the provider's prop, escaped inside the RSC
 * payload): 'init-v2' when it says so, 'v1' when it carries a bootstrap without that field, null when none.
 */
export function htmlBootstrapFormat(html: string): E2EFormat | null {
  if (/\\*"response_format\\*":\\*"init-v2\\*"/.test(html)) return 'init-v2';
  return /\\*"has_updates\\*":true/.test(html) ? 'v1' : null;
}

/** The format of the payload the page's Statsig client holds. */
export async function clientPayloadFormat(page: Page): Promise<E2EFormat> {
  const f = await page.evaluate((k) => {
    const c = (window as unknown as { __STATSIG__: { instances: Record<string, { getContext(): { values: { response_format?: string } | null } }> } }).__STATSIG__.instances[k]!;
    return c.getContext().values?.response_format ?? null;
  }, E2E.clientKey);
  return f === 'init-v2' ? 'init-v2' : 'v1';
}

/**
 * The rule ID js-client reports (and logs in exposures) for a rule: init-v2 leaves rule "default" out, as
 * statsig-node-core does, so js-client reads "" there; v1 carries it.
 */
export function clientRuleID(ruleID: string): string {
  return target().format === 'init-v2' && ruleID === 'default' ? '' : ruleID;
}

export const DCS_TEXT = readFileSync('data/demo-dcs.json', 'utf8');

export function djb2(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return String(h >>> 0);
}

/** The cookie the Statsig client itself reads: statsig.stable_id.<djb2('k:' + clientKey)>. */
export const COOKIE = `statsig.stable_id.${djb2('k:' + E2E.clientKey)}`;

// ---------------------------------------------------------------------------------------------
// Expected assignments, computed with the pure core (not through the server)

const SPECS = parseSpecs(DCS_TEXT, { serverSecret: E2E.serverSecret });
const ID_TYPE = new Map(
  (JSON.parse(DCS_TEXT) as { dynamic_configs: { name: string; idType: string }[] }).dynamic_configs.map((s) => [s.name, s.idType]),
);

/** Group, rule and value of an experiment for a unit ID (stableID or userID, per the experiment). */
export function expectedGroup(experiment: string, unitID: string): { group: string; ruleID: string; value: Record<string, unknown> } {
  const idType = ID_TYPE.get(experiment);
  if (!idType) throw new Error(`no experiment ${experiment}`);
  const user: StatsigUser = idType === 'stableID' ? { customIDs: { stableID: unitID } } : unitID ? { userID: unitID } : {};
  const e = getExperiment(SPECS, user, experiment);
  return { group: e.groupName ?? e.ruleID, ruleID: e.ruleID, value: e.value as Record<string, unknown> };
}

/** A stable ID that lands in `group` of `experiment` (deterministic search). */
export function stableIdIn(experiment: string, group: string, seed = 'e2e'): string {
  for (let i = 0; i < 10_000; i++) {
    const id = `${seed}-${i.toString(16).padStart(4, '0')}-0000-4000-8000-000000000000`;
    if (expectedGroup(experiment, id).group === group) return id;
  }
  throw new Error(`no id found for ${experiment}/${group}`);
}

export const HERO_GROUPS = ['Classic', 'Bold'] as const;

// ---------------------------------------------------------------------------------------------
// Browser helpers

/** Record requests that would leave the origin (and abort them), and any /initialize call. */
export async function guardNetwork(context: BrowserContext) {
  const external: string[] = [];
  const initialize: string[] = [];
  await context.route(/^(?!http:\/\/127\.0\.0\.1(:\d+)?\/)/, (route) => {
    external.push(route.request().url());
    return route.abort();
  });
  context.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('/initialize')) initialize.push(r.url());
  });
  return { external, initialize };
}

export interface RgstrBatch {
  events: { eventName: string; metadata?: Record<string, string>; user?: { userID?: string; customIDs?: Record<string, string> } }[];
  statsigMetadata?: { stableID?: string };
}

/** Collect every POST to /api/statsig/rgstr made by pages of this context. */
export function captureRgstr(context: BrowserContext): RgstrBatch[] {
  const batches: RgstrBatch[] = [];
  context.on('request', (r: Request) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/statsig/rgstr') {
      const body = r.postData();
      if (body) batches.push(JSON.parse(body) as RgstrBatch);
    }
  });
  return batches;
}

/** Wait until the page's Statsig client exists (hydration ran) and flush its queue. */
export async function hydratedAndFlushed(page: Page): Promise<void> {
  await page.waitForFunction((k) => Boolean((window as unknown as { __STATSIG__?: { instances?: Record<string, unknown> } }).__STATSIG__?.instances?.[k]), E2E.clientKey);
  await page.evaluate(async (k) => {
    const c = (window as unknown as { __STATSIG__: { instances: Record<string, { flush(): Promise<void> }> } }).__STATSIG__.instances[k]!;
    await c.flush();
  }, E2E.clientKey);
}

export async function clientReason(page: Page, experiment: string): Promise<string> {
  return page.evaluate(
    ([k, name]) => {
      const c = (window as unknown as { __STATSIG__: { instances: Record<string, { getExperiment(n: string, o: object): { details: { reason: string } } }> } }).__STATSIG__.instances[k!]!;
      return c.getExperiment(name!, { disableExposureLog: true }).details.reason;
    },
    [E2E.clientKey, experiment],
  );
}

export async function clientUser(page: Page): Promise<{ userID?: string; customIDs?: Record<string, string> }> {
  return page.evaluate((k) => {
    const c = (window as unknown as { __STATSIG__: { instances: Record<string, { getContext(): { user: object } }> } }).__STATSIG__.instances[k]!;
    return c.getContext().user as { userID?: string; customIDs?: Record<string, string> };
  }, E2E.clientKey);
}

export async function stableCookie(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).filter((c) => c.name === COOKIE).map((c) => c.value);
}

/** Text of an element in raw (unhydrated) server HTML, by data-testid. */
export function htmlText(html: string, testid: string): string | null {
  const m = new RegExp(`data-testid="${testid}"[^>]*>([^<]*)<`).exec(html);
  if (!m) return null;
  return m[1]!
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function readEventLog(): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(target().eventLog, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function exposuresIn(batches: RgstrBatch[], eventName: string, config: string) {
  return batches.flatMap((b) => b.events.map((e) => ({ ...e, stableID: b.statsigMetadata?.stableID })))
    .filter((e) => e.eventName === eventName && (e.metadata?.config === config || e.metadata?.gate === config));
}

export { expect };
