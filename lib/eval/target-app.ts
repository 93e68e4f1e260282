/**
 * Target-app resolution for a client key (reference §10.2). It decides both which entities a
 * bootstrap includes and what `target_app` conditions see, so evaluation and bootstrap share it.
 */
import { djb2 } from '../hash/djb2';
import type { SdkKeyEntities, Specs } from '../spec/compiled';

export interface TargetApp {
  /** Include only entities whose targetAppIDs contain this app; null = no app filter. */
  readonly filterApp: string | null;
  /** hashed_sdk_keys_to_entities of the key, or null. */
  readonly entities: SdkKeyEntities | null;
  /** What `target_app` conditions read: the key's app (undefined when unmapped), else the payload's app_id. */
  readonly conditionValue: unknown;
  /**
   * What nested evaluations read. statsig-node loses the app below the top level when a client key
   * is given (reference §12), so nested target_app conditions see undefined; kept for parity.
   */
  readonly nestedConditionValue: unknown;
}

export function resolveTargetApp(specs: Specs, clientKey: string | undefined | null): TargetApp {
  if (clientKey == null) return { filterApp: null, entities: null, conditionValue: specs.appId, nestedConditionValue: specs.appId };
  const hashed = djb2(clientKey);
  const app = specs.hashedSdkKeysToAppIds.get(hashed) ?? specs.sdkKeysToAppIds.get(clientKey) ?? null;
  return {
    filterApp: app,
    entities: specs.hashedSdkKeysToEntities.get(hashed) ?? null,
    // statsig-node tests the key for truthiness here, so an empty key reads app_id
    conditionValue: clientKey ? (app ?? undefined) : specs.appId,
    nestedConditionValue: clientKey ? undefined : specs.appId,
  };
}
