'use client';
/**
 * `firstlight/react`: the browser side. The provider that hands the server's bootstrap to
 * @statsig/js-client, the component that reports deferred exposures, and the hooks of
 * @statsig/react-bindings re-exported, so an app imports them from here and the provider and the
 * hooks share one copy of the bindings (a second copy finds no client and renders defaults).
 * Named re-exports only: a client boundary cannot `export *`. The gate/config/experiment/layer hooks
 * are typed by the project's generated FlagRegistry (typed-hooks.ts).
 */
export { FirstlightProvider, useConsent } from './provider';
export type { FirstlightProviderProps, ConsentControls } from './provider';
export type { ConsentState } from './consent';
export { LogExposuresOnShow } from './exposures-on-show';
export type { ExposuresOnShow, LogExposuresOnShowProps } from './exposures-on-show';
export {
  StatsigContext,
  StatsigProvider,
  useClientAsyncInit,
  useClientBootstrapInit,
  useParameterStore,
  useStatsigClient,
  useStatsigUser,
} from '@statsig/react-bindings';
export { useDynamicConfig, useExperiment, useFeatureGate, useGateValue, useLayer } from './typed-hooks';
export type { TypedUseDynamicConfig, TypedUseExperiment, TypedUseFeatureGate, TypedUseGateValue, TypedUseLayer } from './typed-hooks';
export type { FlagRegistry, GateName, ConfigName, ExperimentName, LayerName, ParamsOf } from '../../lib/flag-types';
export type { StatsigProviderProps, StatsigUser, StatsigOptions } from '@statsig/react-bindings';
