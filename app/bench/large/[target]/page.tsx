import { getRequestFlags } from 'firstlight/next';
import { benchEntities, targetOptions } from '../entities';
import { ConfigRow, ExperimentRow, GateRow, LayerRow } from '../rows';
import { EntityPage, EntityRow } from '../views';

export const dynamic = 'force-dynamic';

/**
 * A page of the large generated project with flags (benchmark twin of /bench/large/plain): one gate
 * read on the server (its exposure logged there), the other entities read by client components from
 * the bootstrapped SDK. Targets: full | only | full-v2 | only-v2 (see ../entities.ts).
 */
export default async function BenchLargeFlags({ params }: { params: Promise<{ target: string }> }) {
  const e = benchEntities();
  const flags = await getRequestFlags(targetOptions((await params).target));
  const [first, ...gates] = e.gates;
  const on = flags.checkGate(first!);
  return (
    <EntityPage headline={on ? 'Flags on' : 'Flags off'}>
      <EntityRow v={{ kind: 'gate', name: first!, label: 'server', value: JSON.stringify(on) }} />
      {gates.map((n) => <GateRow key={n} name={n} />)}
      {e.experiments.map((n) => <ExperimentRow key={n} name={n} />)}
      {e.configs.map((n) => <ConfigRow key={n} name={n} />)}
      {e.layers.map((n) => <LayerRow key={n} name={n} />)}
    </EntityPage>
  );
}
