/**
 * Evaluation snapshots (posthog-rs `evaluate_flags()`, adapted to Statsig): one user, one set of specs,
 * one set of overrides, pinned when the snapshot is made. Each entity is evaluated at most once; the
 * first read through checkGate/getConfig/… logs its exposure (once per entity per snapshot, then the
 * instance-wide dedupe), peek* reads never log. Filtered copies start with nothing accessed and never
 * mark their parent. The bootstrap is written from the same pinned inputs, so the server render and the
 * browser agree by construction.
 */
import {
  clientInitializeResponseFromEvaluation,
  clientInitializeResponseJSONFromEvaluation,
  evaluateAll,
  type Evaluation,
  type PayloadFormat,
  type Specs,
} from '../lib/index';
import { layerOverrides, type LocalOverrides } from '../lib/overrides';
import { resolveForcedVariants, type ForcedVariantsRequest } from '../lib/forced-variants';
import { bucketSplits, ruleAllocations, type AllocationKind, type BucketSplit, type RuleAllocation } from '../lib/explain/allocation';
import type { DynamicConfig, Experiment, FeatureGate, JsonObject, Layer, SpecSourceKind, StatsigUser } from '../lib/types';
import type { Exposures } from './exposures';
import { configResult, layerResult, type ConfigResult, type ExperimentResult, type LayerResult } from './results';
import { InvalidArgumentError } from '../lib/errors';
import { defaultResult, rulePassed } from './default-results';

/** What a snapshot needs from its instance, captured at creation. */
export interface SnapshotHost {
  readonly specs: Specs | null;
  readonly emptySpecs: () => Specs;
  readonly evalOptions: { readonly environment?: string; readonly overrides: LocalOverrides };
  readonly exposures: Exposures;
  readonly record: (where: string, err: unknown) => void;
}

type Kind = 'gate' | 'config' | 'experiment' | 'layer';

/** Bootstrap options of a snapshot; user, client key and overrides are the snapshot's own. */
export interface SnapshotBootstrapOptions {
  /** 'v1' (default) or statsig-node-core's compact 'init-v2' (@statsig/js-client ≥ 3.27 reads both). */
  format?: PayloadFormat;
  hash?: 'djb2' | 'sha256' | 'none';
  only?: readonly string[];
  userEcho?: 'full' | 'minimal';
}
type Result = FeatureGate | DynamicConfig | Experiment | Layer;

/** Shared, pinned state of a snapshot and its filtered copies. */
interface Pinned {
  readonly host: SnapshotHost;
  readonly user: StatsigUser;
  /** lib's memoised evaluation of this user; null when it could not be made (reason Error). */
  readonly evaluation: Evaluation | null;
  readonly clientKey: string | undefined;
  /** Users without any ID are evaluated but never logged (nothing to attribute an exposure to). */
  readonly logExposures: boolean;
  readonly memo: Map<string, Result>;
  readonly forced: ForcedVariantsOutcome;
}

/** What the snapshot's forced variants did: entities forced and what could not be (`kind:name`). */
export interface ForcedVariantsOutcome {
  readonly forced: readonly string[];
  readonly ignored: readonly string[];
}

const NOTHING_FORCED: ForcedVariantsOutcome = Object.freeze({ forced: Object.freeze([]), ignored: Object.freeze([]) });

export class EvaluationSnapshot {
  readonly #p: Pinned;
  /** Names this copy answers for; null = every entity. */
  readonly #names: ReadonlySet<string> | null;
  /** Entities read through an exposure-logging accessor in this copy, in first-read order. */
  readonly #accessed = new Map<string, { kind: Kind; name: string }>();
  /** Layer parameters whose exposure this copy logged. */
  readonly #layerParams = new Set<string>();

  private constructor(pinned: Pinned, names: ReadonlySet<string> | null) {
    this.#p = pinned;
    this.#names = names;
  }

  /** @internal Use `statsig.evaluateAll(user)`. */
  static create(
    host: SnapshotHost,
    user: StatsigUser,
    options: { only?: readonly string[]; clientKey?: string; forcedVariants?: ForcedVariantsRequest; withheldIdTypes?: readonly string[]; logExposures?: boolean } = {},
  ): EvaluationSnapshot {
    let copy: StatsigUser = {};
    let evaluation: Evaluation | null = null;
    let valid = false;
    let forced = NOTHING_FORCED;
    try {
      if (typeof user !== 'object' || user === null || Array.isArray(user)) {
        throw new InvalidArgumentError('firstlight: evaluateAll() needs a user object');
      }
      copy = structuredClone(user) as StatsigUser;
      valid = true;
      const { only, clientKey, forcedVariants, withheldIdTypes } = options;
      let overrides = host.evalOptions.overrides;
      if (forcedVariants !== undefined && host.specs) {
        const r = resolveForcedVariants(host.specs, forcedVariants);
        overrides = layerOverrides(overrides, r.overrides);
        forced = Object.freeze({ forced: Object.freeze(r.forced), ignored: Object.freeze(r.ignored) });
      }
      evaluation = evaluateAll(host.specs ?? host.emptySpecs(), copy, {
        ...host.evalOptions,
        overrides,
        ...(clientKey !== undefined ? { clientKey } : {}),
        ...(only !== undefined ? { only } : {}),
        ...(withheldIdTypes !== undefined ? { withheldIdTypes } : {}),
      });
    } catch (err) {
      host.record('evaluateAll', err);
    }
    const pinned: Pinned = {
      host,
      user: Object.freeze(copy),
      evaluation,
      clientKey: options.clientKey,
      logExposures: valid && hasAnyId(copy) && options.logExposures !== false,
      memo: new Map(),
      forced,
    };
    return new EvaluationSnapshot(pinned, options.only ? new Set(options.only) : null);
  }

  /** The user as evaluated (a frozen copy). */
  get user(): Readonly<StatsigUser> {
    return this.#p.user;
  }

  /** The forced variants this snapshot applied (and those it could not: an unknown entity or group). */
  get forcedVariants(): ForcedVariantsOutcome {
    return this.#p.forced;
  }

  /** Every entity name of the specs by kind (experiments apart from dynamic configs); empty before specs. */
  entityNames(): { gates: string[]; configs: string[]; experiments: string[]; layers: string[] } {
    const specs = this.#p.host.specs;
    const out = { gates: [] as string[], configs: [] as string[], experiments: [] as string[], layers: [] as string[] };
    if (!specs) return out;
    out.gates = [...specs.gates.keys()];
    for (const c of specs.configs.values()) (c.entity === 'experiment' ? out.experiments : out.configs).push(c.name);
    out.layers = [...specs.layers.keys()];
    return out;
  }

  /** Where this snapshot's user falls in each rule of an entity (the explorer's allocation bars). */
  ruleAllocations(kind: AllocationKind, name: string): readonly RuleAllocation[] {
    const specs = this.#p.host.specs;
    return specs ? ruleAllocations(specs, this.#p.user, kind, name) : [];
  }

  /** The entity's bucket splits for this snapshot's user: each group's (or layer experiment's) share and the user's bucket. */
  bucketSplits(kind: AllocationKind, name: string): readonly BucketSplit[] {
    const specs = this.#p.host.specs;
    return specs ? bucketSplits(specs, this.#p.user, kind, name) : [];
  }

  /**
   * The same user, client key and local overrides evaluated on other specs (the explorer's spec-version
   * diff). Nothing read from it is logged: those specs are not the ones in force. Forced variants and
   * withheld ID types are not carried over (the snapshot keeps only their outcome; the explorer uses neither).
   */
  withSpecs(specs: Specs): EvaluationSnapshot {
    const p = this.#p;
    const only = this.#names === null ? undefined : [...this.#names];
    return EvaluationSnapshot.create({ ...p.host, specs }, p.user, {
      logExposures: false,
      ...(p.clientKey !== undefined ? { clientKey: p.clientKey } : {}),
      ...(only !== undefined ? { only } : {}),
    });
  }

  /** Where the specs this snapshot was evaluated on came from (it prefixes every reason); null before specs. */
  get specsSource(): SpecSourceKind | null {
    return this.#p.host.specs?.source ?? null;
  }

  /** The lcut of the specs this snapshot was evaluated on; 0 before specs arrived. */
  get lcut(): number {
    return this.#p.host.specs?.lcut ?? 0;
  }

  checkGate(name: string): boolean {
    return this.getFeatureGate(name).value;
  }
  getFeatureGate(name: string): FeatureGate {
    const gate = this.#get('gate', name) as FeatureGate;
    if (this.#firstAccess('gate', name, gate)) this.#p.host.exposures.gate(this.#p.user, gate);
    return gate;
  }
  getConfig(name: string): ConfigResult {
    const config = this.#get('config', name) as DynamicConfig;
    if (this.#firstAccess('config', name, config)) this.#p.host.exposures.config(this.#p.user, config, rulePassed(config));
    return configResult(config);
  }
  getExperiment(name: string): ExperimentResult {
    const experiment = this.#get('experiment', name) as Experiment;
    if (this.#firstAccess('experiment', name, experiment)) this.#p.host.exposures.config(this.#p.user, experiment, rulePassed(experiment));
    return configResult(experiment);
  }
  /** Marks the layer accessed; each parameter read that exists logs its layer exposure (once). */
  getLayer(name: string): LayerResult {
    const layer = this.#get('layer', name) as Layer;
    this.#firstAccess('layer', name, layer);
    const log = this.#p.logExposures && layer.details.reason !== 'Error';
    return layerResult(layer, (param) => {
      const key = `${name}\u0000${param}`;
      if (!log || this.#layerParams.has(key)) return;
      this.#layerParams.add(key);
      this.#p.host.exposures.layer(this.#p.user, layer, param);
    });
  }

  /** Reads without an exposure and without marking the entity accessed. */
  peekGate(name: string): FeatureGate {
    return this.#get('gate', name) as FeatureGate;
  }
  peekConfig(name: string): ConfigResult {
    return configResult(this.#get('config', name) as DynamicConfig);
  }
  peekExperiment(name: string): ExperimentResult {
    return configResult(this.#get('experiment', name) as Experiment);
  }
  peekLayer(name: string): LayerResult {
    return layerResult(this.#get('layer', name) as Layer, () => {});
  }

  /** Names read through the exposure-logging accessors of this copy, in first-read order. */
  accessedNames(): readonly string[] {
    return [...new Set([...this.#accessed.values()].map((a) => a.name))];
  }

  /** A copy limited to the entities this copy handed out; its own reads start from nothing. */
  onlyAccessed(): EvaluationSnapshot {
    return new EvaluationSnapshot(this.#p, new Set(this.accessedNames()));
  }

  /** A copy limited to `names` (within this copy's own limit). */
  only(names: readonly string[]): EvaluationSnapshot {
    const wanted = new Set(names.filter((n) => this.#names === null || this.#names.has(n)));
    return new EvaluationSnapshot(this.#p, wanted);
  }

  /**
   * The values of the entities handed out, as event metadata (`flag:<name>` → gate "true"/"false",
   * otherwise the JSON value).
   */
  flagMetadata(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { kind, name } of this.#accessed.values()) {
      const r = this.#get(kind, name);
      out[`flag:${name}`] = typeof r.value === 'boolean' ? String(r.value) : JSON.stringify(r.value);
    }
    return out;
  }

  /**
   * The `@statsig/js-client` bootstrap of this snapshot's user, limited to this copy's entities, written
   * from the same evaluation the server read (overrides included, as in the checks). Null before specs
   * arrived or when the snapshot could not evaluate.
   */
  toClientInitializeResponse(options: SnapshotBootstrapOptions = {}): JsonObject | null {
    return this.#cir(options, false) as JsonObject | null;
  }
  toClientInitializeResponseJSON(options: SnapshotBootstrapOptions = {}): string | null {
    return this.#cir(options, true) as string | null;
  }

  #cir(options: SnapshotBootstrapOptions, json: boolean): unknown {
    const { evaluation, host } = this.#p;
    if (!host.specs || !evaluation) return null;
    try {
      const { only: asked, ...rest } = options;
      const only = this.#names === null ? asked : asked ? asked.filter((n) => this.#names!.has(n)) : [...this.#names];
      const opts = { ...rest, ...(only !== undefined ? { only } : {}), ...(this.#p.clientKey !== undefined ? { clientKey: this.#p.clientKey } : {}) };
      return json ? clientInitializeResponseJSONFromEvaluation(evaluation, opts) : clientInitializeResponseFromEvaluation(evaluation, opts);
    } catch (err) {
      host.record('snapshot bootstrap', err);
      return null;
    }
  }

  #firstAccess(kind: Kind, name: string, r: Result): boolean {
    const key = `${kind}:${name}`;
    if (this.#accessed.has(key)) return false;
    this.#accessed.set(key, { kind, name });
    return this.#p.logExposures && r.details.reason !== 'Error';
  }

  #get(kind: Kind, name: string): Result {
    if (typeof name !== 'string' || name.length === 0) {
      this.#p.host.record('snapshot', new TypeError(`firstlight: ${kind} name must be a non-empty string`));
      return defaultResult(kind, '', 'Error');
    }
    if (this.#names !== null && !this.#names.has(name)) return defaultResult(kind, name, 'Unrecognized');
    const key = `${kind}:${name}`;
    let r = this.#p.memo.get(key);
    if (r === undefined) {
      r = this.#evaluate(kind, name);
      this.#p.memo.set(key, r);
    }
    return r;
  }

  #evaluate(kind: Kind, name: string): Result {
    const { host, evaluation } = this.#p;
    if (!evaluation) return defaultResult(kind, name, 'Error');
    try {
      const r =
        kind === 'gate'
          ? evaluation.getFeatureGate(name)
          : kind === 'config'
            ? evaluation.getConfig(name)
            : kind === 'experiment'
              ? evaluation.getExperiment(name)
              : evaluation.getLayer(name);
      if (!host.specs && r.details.reason !== 'LocalOverride') return defaultResult(kind, name, 'Uninitialized');
      return r;
    } catch (err) {
      host.record(`snapshot ${kind} "${name}"`, err);
      return defaultResult(kind, name, 'Error');
    }
  }
}

function hasAnyId(user: StatsigUser): boolean {
  if ((typeof user.userID === 'string' && user.userID !== '') || typeof user.userID === 'number') return true;
  const ids = user.customIDs;
  return typeof ids === 'object' && ids !== null && Object.values(ids).some((v) => (typeof v === 'string' && v !== '') || typeof v === 'number');
}
