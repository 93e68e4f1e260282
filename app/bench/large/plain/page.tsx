import { cookies, headers } from 'next/headers';
import { benchEntities } from '../entities';
import { EntityPage, EntityRow } from '../views';

export const dynamic = 'force-dynamic';

const FIXED = JSON.stringify({ label: 'Add to cart', count: 3, enabled: true });

/** The large-project page with fixed values: no user, no evaluation, no bootstrap, no client SDK. */
export default async function BenchLargePlain() {
  const e = benchEntities();
  // read the request like the flagged twin does, so both are dynamic renders of equal work otherwise
  await Promise.all([headers(), cookies()]);
  return (
    <EntityPage headline="Flags off">
      {e.gates.map((n) => <EntityRow key={n} v={{ kind: 'gate', name: n, label: 'default', value: 'false' }} />)}
      {e.experiments.map((n) => <EntityRow key={n} v={{ kind: 'experiment', name: n, label: 'Control', value: FIXED }} />)}
      {e.configs.map((n) => <EntityRow key={n} v={{ kind: 'config', name: n, label: 'default', value: FIXED }} />)}
      {e.layers.map((n) => <EntityRow key={n} v={{ kind: 'layer', name: n, label: 'default', value: FIXED }} />)}
    </EntityPage>
  );
}
