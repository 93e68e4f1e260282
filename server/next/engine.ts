/**
 * The flag engine behind the Next.js integration: one Firstlight `Statsig` instance per process.
 *
 * Demo mode (no STATSIG_SERVER_SECRET): the embedded specs (data/demo-dcs.json, or
 * FIRSTLIGHT_SPECS_FILE), no network, events to the local JSONL log (var/events.jsonl, or
 * FIRSTLIGHT_EVENT_LOG). With STATSIG_SERVER_SECRET the instance syncs from Statsig and logs upstream.
 */
import { Statsig } from '../statsig';
import type { EvaluationSnapshot } from '../snapshot';
import type { StatsigOptions } from '../options';
import type { JsonObject, StatsigUser } from '../../lib/types';
import { nextConfig } from './config';
import type { CirOptions, ClientEvent, EngineStatus, EntityEvaluation, EntityKind, FirstlightEngine, UserEvaluation } from './engine-types';

function intEnv(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

export function engineOptions(): { secret: string; options: StatsigOptions } {
  const cfg = nextConfig();
  const realSecret = process.env.STATSIG_SERVER_SECRET?.trim();
  const specsFile = process.env.FIRSTLIGHT_SPECS_FILE?.trim();
  const eventLogFile = process.env.FIRSTLIGHT_EVENT_LOG?.trim();
  const flushIntervalMs = intEnv('FIRSTLIGHT_FLUSH_INTERVAL_MS');
  const common: StatsigOptions = {
    ...(cfg.environment ? { environment: cfg.environment } : {}),
    ...(eventLogFile ? { eventLogFile } : {}),
    ...(flushIntervalMs ? { flushIntervalMs } : {}),
  };
  if (realSecret) {
    return { secret: realSecret, options: { ...common, ...(specsFile ? { specsFile } : {}) } };
  }
  return {
    secret: cfg.serverSecret,
    options: { ...common, localMode: true, specsFile: specsFile ?? 'data/demo-dcs.json', eventSinks: ['file'] },
  };
}

function entity(kind: EntityKind, snap: EvaluationSnapshot, name: string): EntityEvaluation | undefined {
  if (kind === 'gate') {
    const g = snap.peekGate(name);
    if (g.details.reason === 'Unrecognized') return undefined;
    return {
      kind, name, value: g.value, ruleID: g.ruleID, groupName: g.groupName, idType: g.idType, reason: g.details.reason,
      version: g.version, secondaryExposures: g.secondaryExposures,
    };
  }
  if (kind === 'layer') {
    const l = snap.peekLayer(name);
    if (l.details.reason === 'Unrecognized') return undefined;
    return {
      kind, name, value: l.value as Readonly<JsonObject>, ruleID: l.ruleID, groupName: l.groupName, idType: null,
      reason: l.details.reason, version: l.version, secondaryExposures: l.secondaryExposures,
      allocatedExperiment: l.allocatedExperimentName, explicitParameters: l.explicitParameters,
    };
  }
  const c = kind === 'experiment' ? snap.peekExperiment(name) : snap.peekConfig(name);
  if (c.details.reason === 'Unrecognized') return undefined;
  const exp = kind === 'experiment' ? (c as ReturnType<EvaluationSnapshot['peekExperiment']>) : null;
  return {
    kind, name, value: c.value, ruleID: c.ruleID, groupName: c.groupName, idType: c.idType, reason: c.details.reason,
    version: c.version, secondaryExposures: c.secondaryExposures,
    ...(exp ? { isUserInExperiment: exp.isUserInExperiment, isExperimentActive: exp.isExperimentActive } : {}),
  };
}

class FacadeEngine implements FirstlightEngine {
  constructor(readonly statsig: Statsig) {}

  status(): EngineStatus {
    const h = this.statsig.health();
    const ready = h.initialized && h.lcut > 0;
    return { ready, lcut: h.lcut, reason: ready ? null : (h.lastError?.message ?? 'no specs loaded yet') };
  }

  evaluate(user: StatsigUser, opts: { clientKey?: string } = {}): UserEvaluation {
    const snap = this.statsig.evaluateAll(user, opts.clientKey !== undefined ? { clientKey: opts.clientKey } : {});
    return {
      user,
      lcut: snap.lcut,
      get: (kind, name) => entity(kind, snap, name),
      expose: (kind, name, parameterName) => {
        if (kind === 'gate') snap.getFeatureGate(name);
        else if (kind === 'config') snap.getConfig(name);
        else if (kind === 'experiment') snap.getExperiment(name);
        else if (parameterName !== undefined) snap.getLayer(name).getValue(parameterName);
        else snap.getLayer(name);
      },
      // the snapshot already carries the client key it was evaluated for
      bootstrapJSON: ({ clientKey: _pinned, ...rest }: CirOptions) => snap.toClientInitializeResponseJSON(rest),
    };
  }

  clientInitializeResponseJSON(user: StatsigUser, opts: CirOptions): string | null {
    return this.statsig.getClientInitializeResponseJSON(user, opts);
  }

  ingestClientEvents(events: readonly ClientEvent[], meta: { clientKey: string; sdkType?: string; sdkVersion?: string }): void {
    this.statsig.ingestClientEvents(events, meta);
  }

  health(): Record<string, unknown> {
    return { ...this.statsig.health() };
  }
}

const g = globalThis as unknown as { __firstlightEngine?: Promise<FirstlightEngine> };

/** The process-wide engine (shared by route handlers and server components), initialised once. */
export function getEngine(): Promise<FirstlightEngine> {
  if (!g.__firstlightEngine) {
    const { secret, options } = engineOptions();
    const statsig = new Statsig(secret, options);
    const p = statsig.initialize().then(() => new FacadeEngine(statsig) as FirstlightEngine);
    g.__firstlightEngine = p;
    p.catch(() => {
      if (g.__firstlightEngine === p) g.__firstlightEngine = undefined;
    });
  }
  return g.__firstlightEngine;
}
