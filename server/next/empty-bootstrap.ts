/** The bootstrap a fail-open render hands the browser while no specs are loaded. */
import { clientInitializeResponseJSON, parseSpecs, type PayloadFormat } from '../../lib/index';
import type { StatsigUser } from '../../lib/types';
import type { UserEcho } from './config';

const EMPTY_SPECS = parseSpecs({ feature_gates: [], dynamic_configs: [], layer_configs: [], has_updates: true, time: 0 });

/** Every entity unknown, so every hook answers its default; the user echo and format match the page's. */
export function emptyBootstrap(user: StatsigUser, clientKey: string, userEcho: UserEcho, format: PayloadFormat): string {
  return clientInitializeResponseJSON(EMPTY_SPECS, user, { hash: 'djb2', clientKey, userEcho, format });
}
