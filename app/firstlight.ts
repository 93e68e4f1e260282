/** The app's flag wiring: one options object per page shape, shared by pages, layouts and routes. */
import type { RequestFlagsOptions } from 'firstlight/next';
import { identifyDemoUser } from './demo-users';

/** The demo storefront: its why-panel shows the browser SDK's answer for every entity, so it bootstraps all of them. */
export const FLAGS: RequestFlagsOptions = { identify: identifyDemoUser };

/** What the page renders, and who logs each exposure. */
export const ENTITIES = [
  { kind: 'experiment', name: 'hero_copy', exposure: 'client' },
  { kind: 'experiment', name: 'checkout_button', exposure: 'client' },
  { kind: 'layer', name: 'storefront', exposure: 'client' },
  { kind: 'gate', name: 'express_checkout', exposure: 'server' },
  { kind: 'config', name: 'store_config', exposure: 'client' },
] as const;
