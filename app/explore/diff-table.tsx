import type { DiffField, EntityDiff, EntityOutcome } from 'firstlight/core';
import type { ExplorerDiff } from 'firstlight/next';

/**
 * A diff of two evaluations: the entities that differ with side A and side B field by field (the
 * changed fields marked), then the unchanged ones collapsed. No hooks: the page renders it on the
 * server for a users diff, the spec-version form in the browser.
 */
export function DiffTable({ diff }: { diff: ExplorerDiff }) {
  const { counts, entities } = diff.diff;
  const different = entities.filter((e) => e.status !== 'same');
  const same = entities.filter((e) => e.status === 'same');
  return (
    <div className="card table-wrap" data-testid={`diff-${diff.mode}`}>
      <h2 className="diff-title">{`${diff.labelA}  →  ${diff.labelB}`}</h2>
      <p className="muted small" data-testid="diff-summary" data-counts={JSON.stringify(counts)}>
        {`${counts.changed} changed, ${counts.onlyA} only in A, ${counts.onlyB} only in B, ${counts.same} unchanged`}
      </p>
      {different.length ? (
        <table>
          <thead>
            <tr>
              <th>Entity</th>
              <th>Value</th>
              <th>Rule · group</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {different.map((e) => (
              <DiffRow key={`${e.kind}:${e.name}`} e={e} />
            ))}
          </tbody>
        </table>
      ) : (
        <p data-testid="diff-none">Nothing differs.</p>
      )}
      {same.length ? (
        <details data-testid="diff-unchanged">
          <summary>{`${same.length} unchanged`}</summary>
          <ul className="diff-same small">
            {same.map((e) => (
              <li key={`${e.kind}:${e.name}`} {...attrs(e)}>
                <span className={`kind kind-${e.kind}`}>{e.kind}</span> {e.name} <code>{JSON.stringify(e.a!.value)}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

function attrs(e: EntityDiff<EntityOutcome>) {
  const side = (o: EntityOutcome | null) => (o ? JSON.stringify({ value: o.value, ruleID: o.ruleID, groupName: o.groupName, reason: o.reason, allocatedExperiment: o.allocatedExperiment }) : '');
  return { 'data-testid': `diff-${e.kind}-${e.name}`, 'data-status': e.status, 'data-changed': e.changed.join(','), 'data-a': side(e.a), 'data-b': side(e.b) };
}

function Side({ field, e, show }: { field: DiffField | null; e: EntityDiff<EntityOutcome>; show: (o: EntityOutcome) => string }) {
  const changed = field !== null && e.changed.includes(field);
  const cell = (o: EntityOutcome | null) => (o ? <code>{show(o)}</code> : <span className="muted">absent</span>);
  if (e.status === 'changed' && !changed) return <td>{cell(e.a)}</td>;
  return (
    <td className={changed || e.status !== 'changed' ? 'diff-cell diff-changed' : 'diff-cell'}>
      <div className="diff-a">{cell(e.a)}</div>
      <div className="diff-b">{cell(e.b)}</div>
    </td>
  );
}

function DiffRow({ e }: { e: EntityDiff<EntityOutcome> }) {
  const ruleGroup = (o: EntityOutcome) => `${o.ruleID}${o.groupName ? ` · ${o.groupName}` : ''}${o.allocatedExperiment ? ` · via ${o.allocatedExperiment}` : ''}`;
  const ruleField: DiffField | null = e.changed.includes('rule') ? 'rule' : e.changed.includes('group') ? 'group' : e.changed.includes('experiment') ? 'experiment' : 'rule';
  return (
    <tr {...attrs(e)}>
      <td>
        <span className={`kind kind-${e.kind}`}>{e.kind}</span> <strong>{e.name}</strong>
        <div className="muted small">{e.status === 'changed' ? `changed: ${e.changed.join(', ')}` : e.status === 'onlyA' ? 'only in A' : 'only in B'}</div>
      </td>
      <Side field="value" e={e} show={(o) => JSON.stringify(o.value)} />
      <Side field={ruleField} e={e} show={ruleGroup} />
      <Side field="reason" e={e} show={(o) => o.reason} />
    </tr>
  );
}
