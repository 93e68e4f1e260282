import { FLAGS_V2, FlaggedStorefront } from '../storefront';

export const dynamic = 'force-dynamic';

/** /bench/flags with the bootstrap in the compact init-v2 format. */
export default function BenchFlagsV2() {
  return <FlaggedStorefront opts={FLAGS_V2} />;
}
