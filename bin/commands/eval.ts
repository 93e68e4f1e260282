/**
 * `firstlight eval --specs FILE --users FILE.jsonl [--secret KEY] [--id-lists FILE.json] [--environment TIER]`
 * One JSON line per user: every gate, config, experiment and layer with its value, rule ID, group
 * name and reason, evaluated as server checks (getFeatureGate / getConfig / getExperiment / getLayer).
 */
import { getConfig, getExperiment, getFeatureGate, getLayer, type Specs } from '../../lib/index';
import { parseFlags, readIdLists, readSpecs, readUsers, requireFlag, writeLine } from './common';

export const EVAL_USAGE = `Usage: firstlight eval --specs FILE --users FILE.jsonl [--secret KEY] [--id-lists FILE.json] [--environment TIER]

Evaluates every entity for every user (one JSON line per user, in input order):
  {"gates":{name:{value,ruleID,groupName,reason}}, "configs":{...}, "experiments":{...}, "layers":{...}}
  --specs FILE         download_config_specs JSON (v1)
  --users FILE.jsonl   one StatsigUser JSON object per line
  --secret KEY         server secret: reject specs issued for another key
  --id-lists FILE      {"<listName>": ["<raw id>", ...]}
  --environment TIER   environment tier (else the payload's default_environment)
`;

const FLAGS = {
  specs: { type: 'string' },
  users: { type: 'string' },
  secret: { type: 'string' },
  'id-lists': { type: 'string' },
  environment: { type: 'string' },
} as const;

interface Row {
  value: unknown;
  ruleID: string;
  groupName: string | null;
  reason: string;
}

export interface EvalLine {
  gates: Record<string, Row>;
  configs: Record<string, Row>;
  experiments: Record<string, Row>;
  layers: Record<string, Row & { allocatedExperimentName: string | null }>;
}

/** Entity names by kind, in payload order. */
export function entityNames(specs: Specs): { gates: string[]; configs: string[]; experiments: string[]; layers: string[] } {
  const configs: string[] = [];
  const experiments: string[] = [];
  for (const [name, spec] of specs.configs) (spec.entity === 'experiment' ? experiments : configs).push(name);
  return { gates: [...specs.gates.keys()], configs, experiments, layers: [...specs.layers.keys()] };
}

export function evaluateUser(specs: Specs, user: Record<string, unknown>, environment: string | undefined): EvalLine {
  const opts = environment === undefined ? undefined : { environment };
  const names = entityNames(specs);
  const line: EvalLine = { gates: {}, configs: {}, experiments: {}, layers: {} };
  for (const n of names.gates) {
    const g = getFeatureGate(specs, user, n, opts);
    line.gates[n] = { value: g.value, ruleID: g.ruleID, groupName: g.groupName, reason: g.details.reason };
  }
  for (const n of names.configs) {
    const c = getConfig(specs, user, n, opts);
    line.configs[n] = { value: c.value, ruleID: c.ruleID, groupName: c.groupName, reason: c.details.reason };
  }
  for (const n of names.experiments) {
    const e = getExperiment(specs, user, n, opts);
    line.experiments[n] = { value: e.value, ruleID: e.ruleID, groupName: e.groupName, reason: e.details.reason };
  }
  for (const n of names.layers) {
    const l = getLayer(specs, user, n, opts);
    line.layers[n] = { value: l.value, ruleID: l.ruleID, groupName: l.groupName, reason: l.details.reason, allocatedExperimentName: l.allocatedExperimentName };
  }
  return line;
}

export async function runEval(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags('eval', argv, FLAGS);
  if (values.help) {
    process.stdout.write(EVAL_USAGE);
    return 0;
  }
  const specsFile = requireFlag('eval', values, 'specs');
  const usersFile = requireFlag('eval', values, 'users');
  const idLists = readIdLists('eval', values['id-lists'] as string | undefined);
  const specs = readSpecs('eval', specsFile, { secret: values.secret as string | undefined, idLists });
  const environment = values.environment as string | undefined;
  for await (const user of readUsers('eval', usersFile)) {
    await writeLine(JSON.stringify(evaluateUser(specs, user, environment)));
  }
  return 0;
}
