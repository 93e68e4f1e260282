/**
 * Reference runners: statsig-node 6.5.2 (the reference behaviour) and @statsig/statsig-node-core
 * (the Rust core, for benchmarks), both fully offline.
 *
 * statsig-node gets its specs AND its ID lists through a dataAdapter (bootstrapValues cannot carry
 * ID lists): the adapter answers the three key kinds of getDataAdapterKey —
 *   statsig|/v1/download_config_specs|plain_text|<sha256(secret)>   -> the DCS JSON
 *   statsig|/v1/get_id_lists|plain_text|<...>                       -> the list names (JSON)
 *   statsig|id_list::<name>|plain_text|<...>                        -> "+<8-char hashed id>\n" lines
 * so its init reason is `DataAdapter`. Every user is JSON-cloned before it is handed over
 * (statsig-node writes `statsigEnvironment` into the caller's object).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { StatsigServer, type StatsigUser as NodeUser } from 'statsig-node';

// `on` / date conditions use the local day in statsig-node: pin the zone like the test runner does.
process.env.TZ = 'UTC';

const require = createRequire(import.meta.url);
const { StatsigContext } = require('statsig-node/dist/utils/StatsigContext') as {
  StatsigContext: { new: (ctx: Record<string, unknown>) => unknown };
};

/** Any user object (Firstlight StatsigUser, parsed JSON, generated users). */
export type JsonUser = object;

export interface RefExposure {
  gate: string;
  gateValue: string;
  ruleID: string;
}

/** One evaluation in a shape comparable with Firstlight's results. */
export interface RefEval {
  value: unknown;
  ruleID: string;
  groupName: string | null;
  idType: string | null;
  reason: string;
  secondaryExposures: RefExposure[];
  undelegatedSecondaryExposures: RefExposure[];
  /** layers: the delegated experiment (config_delegate) or null */
  allocatedExperimentName: string | null;
  explicitParameters: string[] | null;
  isExperimentGroup: boolean;
  version: number | null;
}

export interface ReferenceOptions {
  secret: string;
  /** RAW ids per list name */
  idLists?: Record<string, readonly string[]>;
  /** environment tier (statsig-node option `environment: {tier}`) */
  environment?: string;
}

export type HashMode = 'djb2' | 'sha256' | 'none';

export function hashIdListEntry(rawId: string): string {
  return createHash('sha256').update(rawId).digest('base64').slice(0, 8);
}

export function cloneUser<T>(user: T): T {
  return JSON.parse(JSON.stringify(user)) as T;
}

interface NodeEvaluation {
  value: boolean;
  json_value: unknown;
  rule_id: string;
  group_name: string | null;
  id_type: string | null;
  secondary_exposures: RefExposure[];
  undelegated_secondary_exposures?: RefExposure[];
  config_delegate: string | null;
  explicit_parameters: string[] | null;
  is_experiment_group: boolean;
  configVersion?: number;
  evaluation_details?: { reason: string };
}

interface ServerInternals {
  evalGate(user: unknown, name: string, ctx: unknown): { evaluation: NodeEvaluation };
  evalConfig(user: unknown, name: string, ctx: unknown): { evaluation: NodeEvaluation };
  evalLayer(user: unknown, name: string, ctx: unknown): { evaluation: NodeEvaluation };
}

function toRef(e: NodeEvaluation, kind: 'gate' | 'config' | 'layer'): RefEval {
  return {
    value: kind === 'gate' ? e.value === true : e.json_value,
    ruleID: e.rule_id,
    groupName: e.group_name ?? null,
    idType: e.id_type ?? null,
    reason: e.evaluation_details?.reason ?? '',
    secondaryExposures: e.secondary_exposures.map((x) => ({ gate: x.gate, gateValue: x.gateValue, ruleID: x.ruleID })),
    undelegatedSecondaryExposures: (e.undelegated_secondary_exposures ?? []).map((x) => ({ gate: x.gate, gateValue: x.gateValue, ruleID: x.ruleID })),
    allocatedExperimentName: e.config_delegate ?? null,
    explicitParameters: e.explicit_parameters ?? null,
    isExperimentGroup: e.is_experiment_group === true,
    version: e.configVersion ?? null,
  };
}

/** An in-memory IDataAdapter that serves one DCS and a set of ID lists. */
export function makeNodeDataAdapter(dcsJson: string, idLists: Record<string, readonly string[]> = {}, time?: number) {
  const listFiles = new Map<string, string>();
  for (const [name, ids] of Object.entries(idLists)) {
    listFiles.set(name, ids.map((id) => `+${hashIdListEntry(id)}\n`).join(''));
  }
  return {
    async initialize() {},
    async shutdown() {},
    async get(key: string): Promise<{ result?: string; time?: number }> {
      if (key.startsWith('statsig|/v1/download_config_specs|')) return { result: dcsJson, time };
      if (key.startsWith('statsig|/v1/get_id_lists|')) return { result: JSON.stringify([...listFiles.keys()]) };
      const m = /^statsig\|id_list::(.*)\|plain_text\|/.exec(key);
      if (m) return { result: listFiles.get(m[1] as string) };
      return {};
    },
    async set() {},
    supportsPollingUpdatesFor() {
      return false;
    },
  };
}

export class NodeReference {
  private constructor(
    readonly server: StatsigServer,
    private readonly internals: ServerInternals,
    readonly dcs: Record<string, unknown>,
  ) {}

  static async create(dcs: unknown, opts: ReferenceOptions): Promise<NodeReference> {
    const json = typeof dcs === 'string' ? dcs : JSON.stringify(dcs);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    const server = new StatsigServer(opts.secret, {
      localMode: true,
      disableAllLogging: true,
      disableRulesetsSync: true,
      disableIdListsSync: true,
      dataAdapter: makeNodeDataAdapter(json, opts.idLists ?? {}, parsed.time as number) as never,
      ...(opts.environment ? { environment: { tier: opts.environment } } : {}),
      logger: { debug() {}, info() {}, warn() {}, error() {}, logLevel: 'none' } as never,
    });
    const details = await server.initializeAsync();
    const ref = new NodeReference(server, server as unknown as ServerInternals, parsed);
    const initReason = (server as unknown as { _store: { getInitReason(): string } })._store.getInitReason();
    if (initReason !== 'DataAdapter') {
      throw new Error(`statsig-node did not initialize from the data adapter (${initReason}): ${String(details?.error ?? '')}`);
    }
    return ref;
  }

  private ctx(caller: string, name: string) {
    return StatsigContext.new({ caller, configName: name });
  }

  gate(user: JsonUser, name: string): RefEval {
    return toRef(this.internals.evalGate(cloneUser(user), name, this.ctx('checkGate', name)).evaluation, 'gate');
  }

  config(user: JsonUser, name: string): RefEval {
    return toRef(this.internals.evalConfig(cloneUser(user), name, this.ctx('getConfig', name)).evaluation, 'config');
  }

  layer(user: JsonUser, name: string): RefEval {
    return toRef(this.internals.evalLayer(cloneUser(user), name, this.ctx('getLayer', name)).evaluation, 'layer');
  }

  /** Public API (as an app would call it): checkGate. */
  checkGate(user: JsonUser, name: string): boolean {
    return this.server.checkGateWithExposureLoggingDisabledSync(cloneUser(user) as NodeUser, name);
  }

  gcir(user: JsonUser, opts: { hash?: HashMode; clientKey?: string } = {}): Record<string, unknown> | null {
    return this.server.getClientInitializeResponse(cloneUser(user) as NodeUser, opts.clientKey, { hash: opts.hash ?? 'djb2' }) as Record<
      string,
      unknown
    > | null;
  }

  gateNames(): string[] {
    return (this.dcs.feature_gates as { name: string }[]).map((s) => s.name);
  }
  configNames(): string[] {
    return (this.dcs.dynamic_configs as { name: string }[]).map((s) => s.name);
  }
  layerNames(): string[] {
    return (this.dcs.layer_configs as { name: string }[]).map((s) => s.name);
  }

  shutdown(): void {
    this.server.shutdown();
  }
}

/** statsig-node-core (Rust) over a v2 DCS from an in-memory data store, network disabled. */
export class CoreReference {
  private constructor(
    readonly statsig: CoreStatsig,
    private readonly UserClass: new (args: Record<string, unknown>) => CoreUser,
  ) {}

  /**
   * statsig-node-core only takes its own StatsigUser class. IDs become strings; null-valued
   * fields are dropped (its constructor rejects them).
   */
  toCoreUser(user: JsonUser): CoreUser {
    const args: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(user)) {
      if (v == null) continue;
      if (k === 'userID') args.userID = String(v);
      else if (k === 'customIDs' || k === 'custom' || k === 'privateAttributes' || k === 'statsigEnvironment') {
        const obj: Record<string, unknown> = {};
        for (const [ck, cv] of Object.entries(v as Record<string, unknown>)) {
          if (cv == null) continue;
          obj[ck] = k === 'customIDs' || k === 'statsigEnvironment' ? String(cv) : cv;
        }
        args[k] = obj;
      } else args[k] = v;
    }
    if (args.userID === undefined && args.customIDs === undefined) args.customIDs = {};
    return new this.UserClass(args);
  }

  /**
   * `transport: 'http'` serves the payload from a loopback HTTP server instead of a data store: a
   * JS data store keeps statsig-node-core's callbacks (and so the test process) alive after shutdown.
   */
  static async create(dcsV2: unknown, opts: { secret: string; environment?: string; transport?: 'dataStore' | 'http' }): Promise<CoreReference> {
    const json = typeof dcsV2 === 'string' ? dcsV2 : JSON.stringify(dcsV2);
    if (opts.transport === 'http') return CoreReference.#overHttp(json, opts);
    const core = (await import('@statsig/statsig-node-core')) as unknown as {
      Statsig: new (key: string, options: Record<string, unknown>) => CoreStatsig;
      StatsigUser: new (args: Record<string, unknown>) => CoreUser;
    };
    const requested: string[] = [];
    const dataStore = {
      initialize: async () => {},
      shutdown: async () => {},
      get: async (key: string) => {
        requested.push(key);
        if (key.includes('download_config_specs')) return { result: json, time: Date.now() };
        return {};
      },
      set: async () => {},
      supportPollingUpdatesFor: async () => false,
    };
    const statsig = new core.Statsig(opts.secret, {
      dataStore,
      disableNetwork: true,
      disableAllLogging: true,
      outputLogLevel: 'none',
      specsSyncIntervalMs: 3_600_000,
      ...(opts.environment ? { environment: opts.environment } : {}),
    });
    const result = await statsig.initialize();
    if (!result.isSuccess && statsig.getFeatureGateList().length === 0) {
      throw new Error(`statsig-node-core did not initialize: ${result.error ?? ''} (keys asked: ${requested.join(', ')})`);
    }
    return new CoreReference(statsig, core.StatsigUser);
  }

  static async #overHttp(json: string, opts: { secret: string; environment?: string }): Promise<CoreReference> {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(json);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const core = (await import('@statsig/statsig-node-core')) as unknown as {
      Statsig: new (key: string, options: Record<string, unknown>) => CoreStatsig;
      StatsigUser: new (args: Record<string, unknown>) => CoreUser;
    };
    const statsig = new core.Statsig(opts.secret, {
      specsUrl: `http://127.0.0.1:${port}/v2/download_config_specs`,
      disableAllLogging: true,
      outputLogLevel: 'none',
      specsSyncIntervalMs: 3_600_000,
      ...(opts.environment ? { environment: opts.environment } : {}),
    });
    const result = await statsig.initialize();
    const ref = new CoreReference(statsig, core.StatsigUser);
    ref.#onShutdown = () => server.close();
    if (!result.isSuccess) {
      await ref.shutdown();
      throw new Error(`statsig-node-core did not initialize over HTTP: ${result.error ?? ''}`);
    }
    return ref;
  }

  #onShutdown: () => void = () => {};

  /** Users must come from toCoreUser (conversion is kept out of timed loops). */
  checkGate(user: CoreUser, name: string): boolean {
    return this.statsig.checkGate(user, name, { disableExposureLogging: true });
  }
  getExperiment(user: CoreUser, name: string): { value: unknown; ruleID: string; groupName: string | null } {
    return this.statsig.getExperiment(user, name, { disableExposureLogging: true }) as never;
  }
  gcir(user: CoreUser, opts: { hash?: HashMode; clientKey?: string } = {}): string {
    return this.statsig.getClientInitializeResponse(user, {
      hashAlgorithm: opts.hash ?? 'djb2',
      ...(opts.clientKey ? { clientSdkKey: opts.clientKey } : {}),
    });
  }
  async shutdown(): Promise<void> {
    await this.statsig.shutdown();
    this.#onShutdown();
  }
}

/** An instance of statsig-node-core's StatsigUser class (opaque here). */
export interface CoreUser {
  readonly userID: string | null;
}

interface CoreStatsig {
  initialize(): Promise<{ isSuccess: boolean; error?: string }>;
  shutdown(): Promise<unknown>;
  checkGate(user: unknown, name: string, options?: unknown): boolean;
  getExperiment(user: unknown, name: string, options?: unknown): unknown;
  getClientInitializeResponse(user: unknown, options?: unknown): string;
  getFeatureGateList(): string[];
}
