/**
 * The flag engine behind the Next.js integration (interim implementation on statsig-node in local
 * mode over the embedded specs, until the Firstlight facade is wired in).
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Statsig from 'statsig-node';
import type { JsonObject, SecondaryExposure, StatsigUser } from '../../lib/types';
import { nextConfig } from './config';
import type {
  CirOptions,
  ClientEvent,
  EngineStatus,
  EntityEvaluation,
  EntityKind,
  FirstlightEngine,
  UserEvaluation,
} from './engine-types';

const SPECS_FILE = process.env.FIRSTLIGHT_SPECS_FILE
  ? resolve(/*turbopackIgnore: true*/ process.env.FIRSTLIGHT_SPECS_FILE)
  : join(process.cwd(), 'data', 'demo-dcs.json');
const EVENTS_FILE = process.env.FIRSTLIGHT_EVENT_LOG
  ? resolve(/*turbopackIgnore: true*/ process.env.FIRSTLIGHT_EVENT_LOG)
  : join(process.cwd(), 'var', 'events.jsonl');

type Entry = Record<string, unknown>;

function minimalUser(user: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['userID', 'customIDs', 'statsigEnvironment']) if (user[k] !== undefined) out[k] = user[k];
  return out;
}

function stripPrivate(user: StatsigUser): StatsigUser {
  const { privateAttributes: _p, ...rest } = user;
  return JSON.parse(JSON.stringify(rest)) as StatsigUser;
}

class InterimEngine implements FirstlightEngine {
  private lcut = 0;
  private versions = new Map<string, number | null>();
  private counters = { exposuresServer: 0, clientEvents: 0 };

  async init(): Promise<void> {
    const text = readFileSync(SPECS_FILE, 'utf8');
    const dcs = JSON.parse(text) as { time: number; feature_gates: Entry[]; dynamic_configs: Entry[]; layer_configs: Entry[] };
    for (const s of [...dcs.feature_gates, ...dcs.dynamic_configs, ...dcs.layer_configs]) {
      this.versions.set(String(s.name), typeof s.version === 'number' ? s.version : null);
    }
    await Statsig.initialize(nextConfig().serverSecret, {
      localMode: true,
      bootstrapValues: text,
      disableIdListsSync: true,
      ...(nextConfig().environment ? { environment: { tier: nextConfig().environment! } } : {}),
    });
    this.lcut = dcs.time;
  }

  status(): EngineStatus {
    return { ready: this.lcut > 0, reason: this.lcut > 0 ? null : 'no specs loaded yet', lcut: this.lcut };
  }

  evaluate(user: StatsigUser): UserEvaluation {
    const cir = Statsig.getClientInitializeResponse(user as never, undefined, { hash: 'none' }) as unknown as {
      feature_gates: Record<string, Entry>;
      dynamic_configs: Record<string, Entry>;
      layer_configs: Record<string, Entry>;
    } | null;
    const map = new Map<string, EntityEvaluation>();
    const se = (e: Entry, k = 'secondary_exposures') => (e[k] as SecondaryExposure[] | undefined) ?? [];
    if (cir) {
      for (const [name, e] of Object.entries(cir.feature_gates)) {
        map.set(`gate:${name}`, {
          kind: 'gate', name, value: e.value === true, ruleID: String(e.rule_id), groupName: null,
          idType: (e.id_type as string) ?? null, reason: 'Bootstrap', version: this.versions.get(name) ?? null,
          secondaryExposures: se(e),
        });
      }
      for (const [name, e] of Object.entries(cir.dynamic_configs)) {
        const kind: EntityKind = 'is_user_in_experiment' in e ? 'experiment' : 'config';
        map.set(`${kind}:${name}`, {
          kind, name, value: e.value as JsonObject, ruleID: String(e.rule_id), groupName: (e.group_name as string) ?? null,
          idType: (e.id_type as string) ?? null, reason: 'Bootstrap', version: this.versions.get(name) ?? null,
          secondaryExposures: se(e),
          ...(kind === 'experiment'
            ? { isUserInExperiment: e.is_user_in_experiment === true, isExperimentActive: e.is_experiment_active === true }
            : {}),
        });
      }
      for (const [name, e] of Object.entries(cir.layer_configs)) {
        map.set(`layer:${name}`, {
          kind: 'layer', name, value: e.value as JsonObject, ruleID: String(e.rule_id), groupName: (e.group_name as string) ?? null,
          idType: null, reason: 'Bootstrap', version: this.versions.get(name) ?? null, secondaryExposures: se(e),
          allocatedExperiment: (e.allocated_experiment_name as string) ?? null,
          explicitParameters: (e.explicit_parameters as string[]) ?? [],
          isUserInExperiment: e.is_user_in_experiment === true,
        });
      }
    }
    return {
      user,
      lcut: this.lcut,
      get: (kind, name) => map.get(`${kind}:${name}`),
      all: () => [...map.values()],
    };
  }

  private append(events: readonly unknown[]): void {
    if (events.length === 0) return;
    mkdirSync(dirname(EVENTS_FILE), { recursive: true });
    appendFileSync(EVENTS_FILE, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  logExposure(user: StatsigUser, entity: EntityEvaluation, parameterName?: string): void {
    this.counters.exposuresServer++;
    const base = { reason: entity.reason, configSyncTime: String(this.lcut), ruleID: entity.ruleID,
      ...(entity.version != null ? { configVersion: String(entity.version) } : {}) };
    const metadata =
      entity.kind === 'gate'
        ? { gate: entity.name, gateValue: String(entity.value), ...base }
        : entity.kind === 'layer'
          ? { config: entity.name, parameterName: parameterName ?? '', allocatedExperiment: entity.allocatedExperiment ?? '', ...base }
          : { config: entity.name, ...base };
    const eventName = entity.kind === 'gate' ? 'statsig::gate_exposure' : entity.kind === 'layer' ? 'statsig::layer_exposure' : 'statsig::config_exposure';
    this.append([{ eventName, user: stripPrivate(user), value: null, metadata, time: Date.now(), secondaryExposures: entity.secondaryExposures, source: 'server' }]);
  }

  clientInitializeResponseJSON(user: StatsigUser, opts: CirOptions): string | null {
    const cir = Statsig.getClientInitializeResponse(user as never, opts.clientKey, { hash: opts.hash ?? 'djb2' }) as unknown as Record<string, unknown> | null;
    if (!cir) return null;
    const out: Record<string, unknown> = { ...cir };
    if (opts.only) {
      // interim: name filtering is done by the facade; keep all entries
    }
    if (opts.userEcho === 'minimal') out.user = minimalUser(cir.user as Record<string, unknown>);
    return JSON.stringify(out);
  }

  ingestClientEvents(events: readonly ClientEvent[], meta: { clientKey: string; sdkType?: string; sdkVersion?: string }): void {
    this.counters.clientEvents += events.length;
    this.append(events.map((e) => ({ ...e, source: 'client', sdkType: meta.sdkType })));
  }

  health(): Record<string, unknown> {
    return { source: 'file', specsFile: SPECS_FILE, lcut: this.lcut, ageMs: this.lcut ? Date.now() - this.lcut : null,
      initialized: this.lcut > 0, eventQueueDepth: 0, counters: this.counters };
  }
}

const g = globalThis as unknown as { __firstlightEngine?: Promise<FirstlightEngine> };

export function getEngine(): Promise<FirstlightEngine> {
  if (!g.__firstlightEngine) {
    const e = new InterimEngine();
    g.__firstlightEngine = e.init().then(() => e);
    g.__firstlightEngine.catch(() => {
      g.__firstlightEngine = undefined;
    });
  }
  return g.__firstlightEngine;
}
