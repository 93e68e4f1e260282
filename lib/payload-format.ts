/**
 * The client initialize response formats. 'v1': statsig-node's payload. 'init-v2': statsig-node-core's
 * compact InitializeV2 payload (short keys, each value and exposure written once), read by
 * @statsig/js-client 3.27 and later. A leaf module, so settings and route schemas can name the formats
 * without pulling in the bootstrap writers (firstlight/next/proxy runs on edge runtimes).
 */
export const PAYLOAD_FORMATS = ['v1', 'init-v2'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];
