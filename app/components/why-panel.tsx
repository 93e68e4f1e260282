/**
 * "Why did I get this?" — for the current user, what each entity on this page returned and why.
 * Rendered on the server from the request's evaluation snapshot; reading it logs nothing.
 */
import type { EntityEvaluation } from '../../server/next/engine-types';
import type { RequestFlags } from '../../server/next/snapshot';
import { ENTITIES } from '../firstlight';
import { ClientReason } from './flagged';

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 90 ? s.slice(0, 87) + '…' : s;
}

function explain(e: EntityEvaluation, unit: string): string {
  if (e.kind === 'gate') {
    if (e.ruleID === 'default') return 'No rule matched: the gate is off by default.';
    return e.value ? `Passed rule ${e.ruleID}.` : `Matched rule ${e.ruleID}, but its rollout excluded this ${unit}.`;
  }
  if (e.kind === 'layer') {
    return e.allocatedExperiment
      ? `This ${unit} is allocated to an experiment in the layer, which sets the parameters.`
      : `This ${unit} is not allocated to any experiment in the layer: layer defaults.`;
  }
  if (e.kind === 'experiment') {
    if (e.isUserInExperiment) return `Bucketed on ${e.idType ?? 'userID'} into group “${e.groupName}”.`;
    if (e.ruleID === 'layerAssignment') return `Not allocated to this experiment by its layer: default value.`;
    return `Not in the experiment (${e.groupName ?? e.ruleID}): default value.`;
  }
  return e.ruleID === 'default' ? 'No rule matched: default value.' : `Matched rule “${e.groupName ?? e.ruleID}”.`;
}

export function WhyPanel({ flags }: { flags: RequestFlags }) {
  const u = flags.clientUser;
  const stableID = typeof u.customIDs?.stableID === 'string' ? u.customIDs.stableID : '—';
  return (
    <section className="card why" data-testid="why-panel">
      <header className="why-head">
        <h2>Why did I get this?</h2>
        <p className="muted">
          Evaluated once on the server for this request and handed to the browser SDK as its bootstrap. User ID{' '}
          <code data-testid="why-user-id">{u.userID != null ? String(u.userID) : 'anonymous'}</code> · stable ID{' '}
          <code data-testid="why-stable-id">{stableID}</code> · specs of{' '}
          <time dateTime={new Date(flags.evaluation.lcut).toISOString()}>{new Date(flags.evaluation.lcut).toISOString().slice(0, 10)}</time>
        </p>
      </header>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Entity</th>
              <th>Value</th>
              <th>Rule · group</th>
              <th>Reason (server / browser)</th>
              <th>Exposures</th>
            </tr>
          </thead>
          <tbody>
            {ENTITIES.map(({ kind, name, exposure }) => {
              const e = flags.getEntity(kind, name);
              if (!e) {
                return (
                  <tr key={name}>
                    <td>
                      <span className={`kind kind-${kind}`}>{kind}</span> {name}
                    </td>
                    <td colSpan={4} className="muted">
                      Not in the specs.
                    </td>
                  </tr>
                );
              }
              // a layer's unit is that of the experiment it delegates to
              const idType =
                e.kind === 'layer' ? (e.allocatedExperiment ? flags.getEntity('experiment', e.allocatedExperiment)?.idType ?? null : null) : e.idType;
              const unit = idType === 'stableID' ? 'device' : 'user';
              const serverLogged = flags.serverExposures.has(`${kind}:${name}:`);
              return (
                <tr key={name} data-testid={`why-${name}`} data-group={e.groupName ?? ''} data-rule={e.ruleID}>
                  <td>
                    <span className={`kind kind-${kind}`}>{kind}</span> <strong>{name}</strong>
                    <div className="muted small">by {idType ?? '—'}</div>
                  </td>
                  <td>
                    <code className="value">{short(e.value)}</code>
                  </td>
                  <td>
                    <code>{e.ruleID}</code>
                    {e.groupName ? <div className="small">{e.groupName}</div> : null}
                    <div className="muted small">{explain(e, unit)}</div>
                  </td>
                  <td>
                    <code>{e.reason}</code> / <ClientReason kind={kind} name={name} />
                  </td>
                  <td className="small">
                    {exposure === 'server' ? (
                      flags.isPrefetch ? (
                        <span>server · skipped (prefetch)</span>
                      ) : (
                        <span data-testid={`exposure-${name}`}>{`server · ${serverLogged ? 'logged once' : 'not read'}`}</span>
                      )
                    ) : (
                      <span data-testid={`exposure-${name}`}>browser · on render → /rgstr</span>
                    )}
                    {e.secondaryExposures.length > 0 ? (
                      <div className="muted">
                        + secondary:{' '}
                        {e.secondaryExposures.map((s) => `${s.gate}=${s.gateValue}`).join(', ')}
                      </div>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
