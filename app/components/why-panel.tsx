/**
 * "Why did I get this?" — for the current user, what each entity on this page returned and why.
 * Rendered on the server from the request's evaluation snapshot with peek reads: it logs nothing.
 */
import { explorerEnabled, type RequestFlags } from 'firstlight/next';
import { ENTITIES } from '../firstlight';
import { ClientReason } from './flagged';

type Snapshot = RequestFlags['snapshot'];
type Kind = (typeof ENTITIES)[number]['kind'];

/** One entity as the panel shows it; null when the specs do not have it. */
interface Row {
  readonly kind: Kind;
  readonly value: unknown;
  readonly ruleID: string;
  readonly groupName: string | null;
  /** For a layer: the unit of the experiment it delegates to. */
  readonly idType: string | null;
  readonly reason: string;
  readonly secondaryExposures: readonly { gate: string; gateValue: string }[];
  readonly isUserInExperiment: boolean;
  readonly allocatedExperiment: string | null;
}

function row(s: Snapshot, kind: Kind, name: string): Row | null {
  if (kind === 'layer') {
    const l = s.peekLayer(name);
    if (l.details.reason === 'Unrecognized') return null;
    const allocated = l.allocatedExperimentName;
    const exp = allocated ? s.peekExperiment(allocated) : null;
    return {
      kind, value: l.value, ruleID: l.ruleID, groupName: l.groupName, reason: l.details.reason,
      secondaryExposures: l.secondaryExposures, isUserInExperiment: false, allocatedExperiment: allocated,
      idType: exp && exp.details.reason !== 'Unrecognized' ? exp.idType : null,
    };
  }
  const r = kind === 'gate' ? s.peekGate(name) : kind === 'experiment' ? s.peekExperiment(name) : s.peekConfig(name);
  if (r.details.reason === 'Unrecognized') return null;
  return {
    kind, value: r.value, ruleID: r.ruleID, groupName: r.groupName, idType: r.idType, reason: r.details.reason,
    secondaryExposures: r.secondaryExposures, isUserInExperiment: 'isUserInExperiment' in r && r.isUserInExperiment === true,
    allocatedExperiment: null,
  };
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 90 ? s.slice(0, 87) + '…' : s;
}

function explain(e: Row, unit: string): string {
  if (e.reason === 'LocalOverride') {
    return e.groupName ? `Forced into group “${e.groupName}” for this browser (a signed forced-variants token).` : 'Forced for this browser (a signed forced-variants token).';
  }
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
  // entities this request read through an exposure-logging accessor (the page's checkGate)
  const accessed = new Set(flags.snapshot.accessedNames());
  return (
    <section className="card why" data-testid="why-panel">
      <header className="why-head">
        <h2>Why did I get this?</h2>
        <p className="muted">
          Evaluated once on the server for this request and handed to the browser SDK as its bootstrap. User ID{' '}
          <code data-testid="why-user-id">{u.userID != null ? String(u.userID) : 'anonymous'}</code> · stable ID{' '}
          <code data-testid="why-stable-id">{stableID}</code> · specs of{' '}
          <time dateTime={new Date(flags.snapshot.lcut).toISOString()}>{new Date(flags.snapshot.lcut).toISOString().slice(0, 10)}</time>
        </p>
        {explorerEnabled() ? (
          <p className="small">
            <a href={`/explore?user=${encodeURIComponent(JSON.stringify(u))}`} data-testid="to-explorer">
              Every entity for this user, with buckets, in the evaluation explorer
            </a>
          </p>
        ) : null}
        {flags.consent ? (
          <p className="small" data-testid="why-consent" data-consent={flags.consent.granted ? 'granted' : 'not-granted'}>
            {flags.consent.granted
              ? 'Consent given: the stable ID is this browser’s device ID, exposures are logged.'
              : 'No consent yet: the stable ID lives for this request only, device experiments show their default and nothing is logged.'}
          </p>
        ) : null}
        {flags.snapshot.forcedVariants.forced.length > 0 ? (
          <p className="small" data-testid="why-forced">
            {`Forced for this browser: ${flags.snapshot.forcedVariants.forced.join(', ')}`}
          </p>
        ) : null}
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
              const e = row(flags.snapshot, kind, name);
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
              const idType = e.idType;
              const unit = idType === 'stableID' ? 'device' : 'user';
              const serverLogged = accessed.has(name);
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
                    <div className="muted small">{flags.consent && !flags.consent.granted && idType === 'stableID' ? 'No device ID without consent: default value.' : explain(e, unit)}</div>
                  </td>
                  <td>
                    <code>{e.reason}</code> / <ClientReason kind={kind} name={name} />
                  </td>
                  <td className="small">
                    {flags.consent && !flags.consent.granted ? (
                      <span data-testid={`exposure-${name}`}>not logged: no consent</span>
                    ) : exposure === 'server' ? (
                      flags.render !== 'document' ? (
                        <span data-testid={`exposure-${name}`}>{`server · ${flags.render} render: logged when shown`}</span>
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
