/**
 * One evaluation per request. Server components call `getRequestFlags()` as often as they like:
 * React's cache() memoises it for the duration of the render, so the user is built once, every
 * entity is evaluated once (an `EvaluationSnapshot`), the bootstrap is serialised once, and each
 * server-side exposure is logged at most once per request — at once for a document render, and for
 * a router or prefetch render only when the browser reports it shown (POST /api/statsig/shown).
 */
import { cache } from 'react';
import { FlagsUnavailableError } from '../../lib/errors';
import { layerResult, type ConfigResult, type ExperimentResult, type LayerResult } from '../results';
import type { StatsigUser } from '../../lib/types';
import type { ConfigName, ExperimentName, GateName, LayerName, ParamsOf, WithParams } from '../../lib/flag-types';
import type { PayloadFormat } from '../../lib/index';
import type { EvaluationSnapshot } from '../snapshot';
import { nextConfig, type UserEcho } from './config';
import { bootstrapOptionsOf } from './bootstrap-options';
import { emptyBootstrap } from './empty-bootstrap';
import { getStatsig, notReadyReason } from './instance';
import { forcedVariantsReader } from './forced-variants';
import { identityFromHeaders, renderKindFromMark, type UserFromRequestOptions } from './user';
import { WITHOUT_CONSENT, type ConsentState } from './consent';
import type { RenderKind } from './stable-id';
import type { ExposuresOnShow } from './exposures-on-show';

/** What `build` returns: the readers with plain string names (see RequestFlags for the typed view). */
interface UntypedRequestFlags {
  /** The user as built from the request (identified, private attributes included). */
  readonly user: StatsigUser;
  readonly clientKey: string;
  /** The client initialize response for this user (djb2, v1 or init-v2), as the JSON string the browser SDK takes. */
  readonly bootstrap: string;
  /** `cir.user`: exactly what the browser client is constructed with (parsed on first read). */
  readonly clientUser: StatsigUser;
  /**
   * What this render is for (see RenderKind). Only a `document` render logs server-side
   * exposures; `router` and `prefetch` renders may never be shown, so they defer them.
   */
  readonly render: RenderKind;
  /** false when no specs are loaded and `failOpen` let the render go on with every default. */
  readonly specsLoaded: boolean;
  /**
   * Consent mode: whether this visitor consented (and the consent cookie, for the provider). null when
   * consent mode is off. Without consent, the user's stable ID is a per-request one, no read logs an
   * exposure and stableID-keyed entities read their default.
   */
  readonly consent: ConsentState | null;
  /**
   * This request's evaluation. `peek*` reads log nothing; its `checkGate`/`getConfig`/… log the
   * exposure once, whatever the render — prefer the readers below, which defer when they must.
   */
  readonly snapshot: EvaluationSnapshot;
  /**
   * Read a gate in a server component. A document render logs its exposure once per request; a
   * router or prefetch render logs nothing and remembers the read in `exposuresOnShow`.
   */
  checkGate(name: string): boolean;
  /** A dynamic config, with the same rule as checkGate. */
  getConfig(name: string): ConfigResult;
  /** An experiment, with the same rule as checkGate. */
  getExperiment(name: string): ExperimentResult;
  /** A layer: each parameter read logs (document) or is remembered (router, prefetch), like checkGate. */
  getLayer(name: string): LayerResult;
  /**
   * What a router or prefetch render has read through the readers above so far (first-read order),
   * with an ID of this render. Spread it into `<LogExposuresOnShow {...flags.exposuresOnShow} />`
   * after the reads — in every server component that reads flags, since a child renders after its
   * parent's JSX is built (repeats are deduped by the server). When the router shows the payload,
   * the browser reports it and the server logs the exposures then. Empty for document renders.
   */
  readonly exposuresOnShow: ExposuresOnShow;
}

/**
 * Per-request flags. Names and `get()` parameters are typed by the project's generated FlagRegistry
 * (`firstlight types`); without it every name is a string.
 */
export interface RequestFlags extends Omit<UntypedRequestFlags, 'checkGate' | 'getConfig' | 'getExperiment' | 'getLayer'> {
  /**
   * Read a gate in a server component. A document render logs its exposure once per request; a
   * router or prefetch render logs nothing and remembers the read in `exposuresOnShow`.
   */
  checkGate(name: GateName): boolean;
  /** A dynamic config, with the same rule as checkGate. */
  getConfig<N extends ConfigName>(name: N): WithParams<ConfigResult, ParamsOf<'configs', N>>;
  /** An experiment, with the same rule as checkGate. */
  getExperiment<N extends ExperimentName>(name: N): WithParams<ExperimentResult, ParamsOf<'experiments', N>>;
  /** A layer: each parameter read logs (document) or is remembered (router, prefetch), like checkGate. */
  getLayer<N extends LayerName>(name: N): WithParams<LayerResult, ParamsOf<'layers', N>>;
}

export interface RequestFlagsOptions extends UserFromRequestOptions {
  userEcho?: UserEcho;
  /**
   * Limit the browser bootstrap to these entities (the ones the page's client components read; names
   * of any kind). Server components still read every entity. On a large project this is most of the
   * page's bootstrap cost and bytes.
   */
  only?: readonly string[];
  /**
   * Bootstrap payload format: 'v1' or the compact 'init-v2' (about half the bytes; @statsig/js-client
   * ≥ 3.27). Default: FIRSTLIGHT_BOOTSTRAP_FORMAT ('v1' when unset). The bootstrap route follows it too.
   */
  format?: PayloadFormat;
  /**
   * With no specs loaded (no file yet, the source down at start): true renders every default and
   * keeps the page up (the browser gets an empty bootstrap, health reports `servingDefaults`);
   * false throws FlagsUnavailableError, so the app's error boundary decides. Default:
   * FIRSTLIGHT_FAIL_OPEN (false when unset).
   */
  failOpen?: boolean;
}

async function build(opts: RequestFlagsOptions): Promise<UntypedRequestFlags> {
  // a bad `only` or `format` fails here, by name, not as an empty bootstrap below
  const { only, format } = bootstrapOptionsOf(opts);
  const [{ headers, cookies }, { connection }] = await Promise.all([import('next/headers'), import('next/server')]);
  // Everything below is request-time work (the instance's clock, exposure timestamps, render IDs):
  // under cacheComponents it must not run while Next prerenders the static shell.
  await connection();
  const [h, c] = await Promise.all([headers(), cookies()]);
  const statsig = await getStatsig();
  const cfg = nextConfig();
  const clientKey = opts.clientKey ?? cfg.clientKey;
  const userEcho = opts.userEcho ?? cfg.userEcho;
  // the per-call format (checked above), else the deployment's
  const payloadFormat = format ?? cfg.bootstrapFormat;
  const identity = await identityFromHeaders(h, c, { ...opts, clientKey });
  const { user } = identity;
  const consented = identity.consent === null || identity.consent.granted;
  const forcedVariants = forcedVariantsReader.read(h, c);
  const snapshot = statsig.evaluateAll(user, {
    clientKey,
    ...(forcedVariants ? { forcedVariants } : {}),
    ...(consented ? {} : WITHOUT_CONSENT),
  });
  for (const entity of snapshot.forcedVariants.ignored) forcedVariantsReader.logOnce(`ignored:${entity}`, `forced variant ${entity} ignored`);
  const specsLoaded = snapshot.lcut > 0;
  if (!specsLoaded && !(opts.failOpen ?? cfg.failOpen)) throw new FlagsUnavailableError(`flags unavailable: ${notReadyReason(statsig) ?? 'no specs'}`);
  const bootstrap = specsLoaded
    ? snapshot.toClientInitializeResponseJSON({
        hash: 'djb2',
        userEcho,
        format: payloadFormat,
        ...(only ? { only } : {}),
      })
    : emptyBootstrap(user, clientKey, userEcho, payloadFormat);
  if (bootstrap === null) throw new FlagsUnavailableError();
  const render = renderKindFromMark(h);
  // without consent nothing is logged now or later, so nothing is kept for the browser to report
  const defer = render !== 'document' && consented;
  let clientUser: StatsigUser | undefined;
  const deferred = { gates: [] as string[], configs: [] as string[], layers: [] as string[] };
  let renderId: string | undefined;
  const remember = (list: string[], item: string) => {
    if (!list.includes(item)) list.push(item);
  };

  return {
    user,
    clientKey,
    bootstrap,
    get clientUser() {
      clientUser ??= (JSON.parse(bootstrap) as { user: StatsigUser }).user;
      return clientUser;
    },
    render,
    specsLoaded,
    consent: identity.consentState,
    snapshot,
    checkGate(name) {
      const gate = snapshot.peekGate(name);
      // unknown gates log nothing; a render that may never be shown waits until the browser shows it
      if (gate.details.reason === 'Unrecognized') return gate.value;
      if (defer) {
        remember(deferred.gates, name);
        return gate.value;
      }
      return snapshot.checkGate(name);
    },
    getConfig(name) {
      const config = snapshot.peekConfig(name);
      if (config.details.reason === 'Unrecognized') return config;
      if (defer) {
        remember(deferred.configs, name);
        return config;
      }
      return snapshot.getConfig(name);
    },
    getExperiment(name) {
      const experiment = snapshot.peekExperiment(name);
      if (experiment.details.reason === 'Unrecognized') return experiment;
      if (defer) {
        remember(deferred.configs, name);
        return experiment;
      }
      return snapshot.getExperiment(name);
    },
    getLayer(name) {
      const layer = snapshot.peekLayer(name);
      if (layer.details.reason === 'Unrecognized') return layer;
      if (!defer) return snapshot.getLayer(name);
      // a layer exposure is per parameter read, so the deferred record is too
      return layerResult(layer, (param) => remember(deferred.layers, `${name}\u0000${param}`));
    },
    get exposuresOnShow() {
      renderId ??= crypto.randomUUID();
      return Object.freeze({
        gates: Object.freeze([...deferred.gates]),
        configs: Object.freeze([...deferred.configs]),
        layers: Object.freeze(deferred.layers.map((key) => {
          const cut = key.indexOf('\u0000');
          return Object.freeze({ layer: key.slice(0, cut), parameter: key.slice(cut + 1) });
        })),
        renderId,
      });
    },
  };
}

const DEFAULT_OPTIONS: RequestFlagsOptions = {};

/**
 * Per-request flags for server components. Options are fixed per app (pass the same object every
 * time, e.g. from one module), since the cache key is the options object itself.
 */
export const getRequestFlags: (opts?: RequestFlagsOptions) => Promise<RequestFlags> = cache(
  // The typed view narrows names and `get` signatures only; the objects are the untyped ones.
  async (opts: RequestFlagsOptions = DEFAULT_OPTIONS) => (await build(opts)) as unknown as RequestFlags,
);

/**
 * The props for <FirstlightProvider>: the client key, the bootstrap as one JSON string and, in consent
 * mode, the visitor's consent (the provider keeps the browser SDK from storing or logging without it).
 */
export async function getBootstrap(opts?: RequestFlagsOptions): Promise<{ clientKey: string; bootstrap: string; consent?: ConsentState }> {
  const f = await getRequestFlags(opts);
  return { clientKey: f.clientKey, bootstrap: f.bootstrap, ...(f.consent ? { consent: f.consent } : {}) };
}
