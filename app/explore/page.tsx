import { notFound } from 'next/navigation';
import type { BucketSplit } from 'firstlight/core';
import { explorerView, MAX_EXPLORER_SPECS_BYTES, type ExplorerRow } from 'firstlight/next';
import { DiffTable } from './diff-table';
import { SpecsDiffForm } from './specs-diff-form';

export const dynamic = 'force-dynamic';

/**
 * The evaluation explorer: paste a user, see every entity's value, rule, group, reason, secondary
 * exposures, where the user falls in each rule's pass percentage and each group's share; paste a
 * second user, or other specs, for a diff. Off unless FIRSTLIGHT_EXPLORER_TOKEN is set; every request
 * carries the token.
 */
export default async function Explore({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const view = await explorerView(query);
  if (view.kind === 'off') notFound();
  const userText = view.kind === 'ready' || view.kind === 'invalid' ? view.userText : typeof query.user === 'string' ? query.user.slice(0, 8192) : '{"userID":"alice"}';
  const userText2 = view.kind === 'ready' || view.kind === 'invalid' ? view.userText2 : '';
  return (
    <main className="page explorer">
      <h1>Evaluation explorer</h1>
      <form method="get" className="card explorer-form">
        <label>
          User (JSON)
          <textarea name="user" defaultValue={userText} rows={3} data-testid="explore-user" />
        </label>
        <label>
          Second user (JSON, optional: a diff of the two)
          <textarea name="user2" defaultValue={userText2} rows={2} data-testid="explore-user2" />
        </label>
        <label>
          Token <input name="token" type="password" required data-testid="explore-token" />
        </label>
        <button type="submit" className="btn btn-solid">
          Evaluate
        </button>
      </form>
      {view.kind === 'denied' ? <p data-testid="explore-denied">Enter the explorer token (FIRSTLIGHT_EXPLORER_TOKEN).</p> : null}
      {view.kind === 'invalid' ? <p data-testid="explore-invalid">{view.message}</p> : null}
      {view.kind === 'ready' && view.diff ? <DiffTable diff={view.diff} /> : null}
      {view.kind === 'ready' ? (
        <div className="card table-wrap">
          <p className="muted small" data-testid="explore-summary">{`${view.rows.length} entities, specs of ${new Date(view.lcut).toISOString()}`}</p>
          <table>
            <thead>
              <tr>
                <th>Entity</th>
                <th>Value</th>
                <th>Rule · group</th>
                <th>Reason</th>
                <th>Secondary exposures</th>
                <th>Rules: pass percentage, group shares and the user&apos;s bucket</th>
              </tr>
            </thead>
            <tbody>
              {view.rows.map((r) => (
                <Row key={`${r.kind}:${r.name}`} r={r} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {view.kind === 'ready' ? <SpecsDiffForm userText={userText} maxBytes={MAX_EXPLORER_SPECS_BYTES} /> : null}
    </main>
  );
}

function Row({ r }: { r: ExplorerRow }) {
  const matched = r.matched >= 0 ? r.rules[r.matched] : undefined;
  return (
    <tr
      data-testid={`explore-${r.kind}-${r.name}`}
      data-value={JSON.stringify(r.value)}
      data-rule={r.ruleID}
      data-group={r.groupName ?? ''}
      data-reason={r.reason}
      data-bucket={matched ? String(matched.bucket) : ''}
      data-exposures={JSON.stringify(r.secondaryExposures.map((e) => `${e.gate}:${e.gateValue}:${e.ruleID}`))}
    >
      <td>
        <span className={`kind kind-${r.kind === 'experiment' ? 'experiment' : r.kind}`}>{r.kind}</span> <strong>{r.name}</strong>
        {r.allocatedExperiment ? <div className="muted small">{`via ${r.allocatedExperiment}`}</div> : null}
      </td>
      <td>
        <code className="value">{JSON.stringify(r.value)}</code>
      </td>
      <td>
        <code>{r.ruleID}</code>
        {r.groupName ? <div className="small">{r.groupName}</div> : null}
      </td>
      <td>
        <code>{r.reason}</code>
      </td>
      <td className="small">{r.secondaryExposures.length ? r.secondaryExposures.map((e) => `${e.gate}=${e.gateValue}`).join(', ') : '—'}</td>
      <td className="small">
        {r.rules.length === 0 ? '—' : null}
        {r.rules.map((a, i) => (
          <div key={a.ruleID} className={i === r.matched ? 'alloc alloc-matched' : 'alloc'} title={`${a.ruleID}: bucket ${a.bucket} of 10000 on ${a.idType}`}>
            <span className="alloc-label">{`${a.groupName ?? a.ruleID.slice(0, 10)} · ${a.passPercentage}% · ${a.idType} bucket ${a.bucket}`}</span>
            <span className="alloc-bar" aria-hidden>
              <span className="alloc-pass" style={{ width: `${a.passPercentage}%` }} />
              <span className="alloc-user" style={{ left: `${a.bucket / 100}%` }} />
            </span>
          </div>
        ))}
        {r.splits.map((s, i) => (
          <Split key={`${s.idType}:${s.salt}`} s={s} testid={`explore-split-${r.kind}-${r.name}-${i}`} />
        ))}
      </td>
    </tr>
  );
}

/** One bucket split: each rule's share of the 1000 buckets as a segment, the user's bucket marked. */
function Split({ s, testid }: { s: BucketSplit; testid: string }) {
  const label = (g: BucketSplit['segments'][number]) => g.groupName ?? g.experiment ?? g.ruleID.slice(0, 10);
  return (
    <div
      className="split"
      data-testid={testid}
      data-bucket={String(s.bucket)}
      data-shares={JSON.stringify(s.segments.map((g) => [g.ruleID, g.share, g.containsUser]))}
      title={`${s.idType} bucket ${s.bucket} of 1000 (salt ${s.salt})`}
    >
      <span className="alloc-label">
        {s.segments.map((g) => `${label(g)} ${g.share}%${g.exact ? '' : '*'}`).join(' · ')}
        {s.unassigned ? ` · rest ${s.unassigned / 10}%` : ''}
        {` · ${s.idType} bucket ${s.bucket}/1000`}
      </span>
      <span className="alloc-bar split-bar" aria-hidden>
        {s.segments.flatMap((g, i) =>
          g.ranges.map(([from, to]) => (
            <span
              key={`${g.ruleID}:${from}`}
              className={`split-seg split-seg-${i % 6}${g.containsUser ? ' split-seg-user' : ''}`}
              style={{ left: `${from / 10}%`, width: `${(to - from) / 10}%` }}
            />
          )),
        )}
        <span className="alloc-user" style={{ left: `${s.bucket / 10}%` }} />
      </span>
    </div>
  );
}
