/**
 * Side-by-side comparison of Firstlight's lib API with statsig-node for one DCS and a set of
 * users: every gate, config, experiment and layer, field by field. Mismatches are collected (not
 * thrown) so that a test can print a handful of minimal, reproducible examples.
 */
import { isDeepStrictEqual } from 'node:util';
import { getConfig, getExperiment, getFeatureGate, getLayer, parseSpecs, prepareUser, type Specs } from '../../lib/index';
import { NodeReference, type JsonUser, type RefEval, type ReferenceOptions } from './reference';

export interface Mismatch {
  kind: 'gate' | 'config' | 'experiment' | 'layer';
  name: string;
  userIndex: number;
  user: JsonUser;
  field: string;
  firstlight: unknown;
  reference: unknown;
}

export interface CompareReport {
  specs: string;
  users: number;
  entities: number;
  /** entity evaluations compared (users × entities) */
  evaluations: number;
  /** individual fields compared */
  fields: number;
  mismatches: Mismatch[];
  /** mismatch counts per "kind.field" */
  byField: Record<string, number>;
}

export interface Pair {
  specs: Specs;
  ref: NodeReference;
  dcs: Record<string, unknown>;
}

/** Firstlight specs and a statsig-node instance over the same payload and ID lists. */
export async function makePair(dcs: unknown, opts: ReferenceOptions): Promise<Pair> {
  const json = typeof dcs === 'string' ? dcs : JSON.stringify(dcs);
  const parsed = JSON.parse(json) as Record<string, unknown>;
  const specs = parseSpecs(json, { serverSecret: opts.secret, idLists: opts.idLists as Record<string, string[]>, source: 'DataAdapter' });
  const ref = await NodeReference.create(json, opts);
  return { specs, ref, dcs: parsed };
}

export function configEntity(dcs: Record<string, unknown>, name: string): string {
  const spec = (dcs.dynamic_configs as { name: string; entity?: string }[]).find((s) => s.name === name);
  return spec?.entity ?? 'dynamic_config';
}

const plainSE = (list: readonly { gate: string; gateValue: string; ruleID: string }[]) =>
  list.map((x) => ({ gate: x.gate, gateValue: x.gateValue, ruleID: x.ruleID }));

export function compareAll(
  label: string,
  pair: Pair,
  users: readonly JsonUser[],
  /** prepared: Firstlight checks each user through one prepareUser() snapshot, all its checks sharing it. */
  opts: { environment?: string; maxExamples?: number; prepared?: boolean } = {},
): CompareReport {
  const { specs, ref, dcs } = pair;
  const evalOpts = opts.environment === undefined ? undefined : { environment: opts.environment };
  const maxExamples = opts.maxExamples ?? 25;
  const report: CompareReport = { specs: label, users: users.length, entities: 0, evaluations: 0, fields: 0, mismatches: [], byField: {} };
  const gates = ref.gateNames();
  const configs = ref.configNames();
  const layers = ref.layerNames();
  report.entities = gates.length + configs.length + layers.length;
  const entityOf = new Map(configs.map((n) => [n, configEntity(dcs, n)]));

  users.forEach((user, userIndex) => {
    const subject: unknown = opts.prepared ? prepareUser(user) : user;
    const check = (kind: Mismatch['kind'], name: string, field: string, fl: unknown, rv: unknown) => {
      report.fields++;
      if (isDeepStrictEqual(fl, rv)) return;
      const key = `${kind}.${field}`;
      report.byField[key] = (report.byField[key] ?? 0) + 1;
      if (report.mismatches.length < maxExamples) report.mismatches.push({ kind, name, userIndex, user, field, firstlight: fl, reference: rv });
    };
    const common = (kind: Mismatch['kind'], name: string, fl: { value: unknown; ruleID: string; groupName: string | null; secondaryExposures: readonly { gate: string; gateValue: string; ruleID: string }[]; details: { reason: string } }, r: RefEval) => {
      report.evaluations++;
      check(kind, name, 'value', fl.value, r.value);
      check(kind, name, 'ruleID', fl.ruleID, r.ruleID);
      check(kind, name, 'groupName', fl.groupName, r.groupName);
      check(kind, name, 'secondaryExposures', plainSE(fl.secondaryExposures), r.secondaryExposures);
      check(kind, name, 'reason', fl.details.reason, r.reason);
    };
    for (const name of gates) {
      const fl = getFeatureGate(specs, subject, name, evalOpts);
      const r = ref.gate(user, name);
      common('gate', name, fl, r);
      check('gate', name, 'idType', fl.idType, r.idType);
    }
    for (const name of configs) {
      const r = ref.config(user, name);
      if (entityOf.get(name) === 'experiment') {
        const fl = getExperiment(specs, subject, name, evalOpts);
        common('experiment', name, fl, r);
        check('experiment', name, 'isUserInExperiment', fl.isUserInExperiment, r.isExperimentGroup);
      } else {
        const fl = getConfig(specs, subject, name, evalOpts);
        common('config', name, fl, r);
      }
    }
    for (const name of layers) {
      const fl = getLayer(specs, subject, name, evalOpts);
      const r = ref.layer(user, name);
      common('layer', name, fl, r);
      check('layer', name, 'allocatedExperimentName', fl.allocatedExperimentName, r.allocatedExperimentName);
      check('layer', name, 'undelegatedSecondaryExposures', plainSE(fl.undelegatedSecondaryExposures), r.undelegatedSecondaryExposures);
      check('layer', name, 'explicitParameters', [...fl.explicitParameters], r.explicitParameters ?? []);
    }
  });
  return report;
}

export function describeMismatches(report: CompareReport): string {
  const lines = [`${report.specs}: ${Object.values(report.byField).reduce((a, b) => a + b, 0)} mismatching fields ${JSON.stringify(report.byField)}`];
  for (const m of report.mismatches) {
    lines.push(
      `  ${m.kind} ${JSON.stringify(m.name)} user#${m.userIndex} ${JSON.stringify(m.user)}\n    ${m.field}: firstlight=${JSON.stringify(m.firstlight)} statsig-node=${JSON.stringify(m.reference)}`,
    );
  }
  return lines.join('\n');
}
