/** Firstlight's version, reported in bootstrap `sdkInfo`. Keep in step with package.json. */
export const FIRSTLIGHT_VERSION = '0.1.0';
export const SDK_TYPE = 'firstlight';
