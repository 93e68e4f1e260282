import { FLAGS } from '../../firstlight';
import { FlaggedStorefront } from '../storefront';

export const dynamic = 'force-dynamic';

/** The storefront with flags and bootstrap (benchmark twin of /bench/plain). */
export default function BenchFlags() {
  return <FlaggedStorefront opts={FLAGS} />;
}
