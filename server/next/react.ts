'use client';
/**
 * `firstlight/react`: the browser side. The provider that hands the server's bootstrap to
 * @statsig/js-client, the component that reports deferred exposures, and the hooks of
 * @statsig/react-bindings re-exported, so an app imports them from here and the provider and the
 * hooks share one copy of the bindings (a second copy finds no client and renders defaults).
 * Named re-exports only: a client boundary cannot `export *`.
 */
export { FirstlightProvider } from './provider';
export type { FirstlightProviderProps } from './provider';
export { LogExposuresOnShow } from './exposures-on-show';
export type { ExposuresOnShow, LogExposuresOnShowProps } from './exposures-on-show';
export {
  StatsigContext,
  StatsigProvider,
  useClientAsyncInit,
  useClientBootstrapInit,
  useDynamicConfig,
  useExperiment,
  useFeatureGate,
  useGateValue,
  useLayer,
  useParameterStore,
  useStatsigClient,
  useStatsigUser,
} from '@statsig/react-bindings';
export type { StatsigProviderProps, StatsigUser, StatsigOptions } from '@statsig/react-bindings';
