'use client';
import { useActionState, useState, type FormEvent } from 'react';
import type { ExplorerSpecsDiff } from 'firstlight/next';
import { diffSpecs } from './actions';
import { DiffTable } from './diff-table';

const IDLE: ExplorerSpecsDiff = { kind: 'idle' };

/** Paste or upload another download_config_specs version; the page's user is evaluated on both. */
export function SpecsDiffForm({ userText, maxBytes }: { userText: string; maxBytes: number }) {
  const [state, action, pending] = useActionState(diffSpecs, IDLE);
  const [tooLarge, setTooLarge] = useState<string | null>(null);
  // the server refuses more than maxBytes too, but a body past Next's action limit never reaches it:
  // the page would only show Next's error, so the browser says it first
  const check = (e: FormEvent<HTMLFormElement>) => {
    const form = e.currentTarget;
    const file = (form.elements.namedItem('specsFile') as HTMLInputElement | null)?.files?.[0];
    const text = (form.elements.namedItem('specs') as HTMLTextAreaElement | null)?.value ?? '';
    const bytes = file && file.size > 0 ? file.size : new Blob([text]).size;
    if (bytes > maxBytes) {
      e.preventDefault();
      setTooLarge(`the specs must be at most ${maxBytes} bytes (${(maxBytes / 1024 / 1024).toFixed(0)} MiB); these are ${bytes}`);
    } else setTooLarge(null);
  };
  return (
    <section className="card" data-testid="specs-diff">
      <h2>Diff against other specs</h2>
      <form action={action} onSubmit={check} className="explorer-form" encType="multipart/form-data">
        <input type="hidden" name="user" value={userText} />
        <label>
          {`Specs (download_config_specs JSON, at most ${(maxBytes / 1024 / 1024).toFixed(0)} MiB)`}
          <textarea name="specs" rows={4} data-testid="specs-diff-text" placeholder='{"feature_gates": [...], "dynamic_configs": [...], ...}' />
        </label>
        <label>
          or upload <input name="specsFile" type="file" accept="application/json,.json" data-testid="specs-diff-file" />
        </label>
        <label>
          Token <input name="token" type="password" required data-testid="specs-diff-token" />
        </label>
        <button type="submit" className="btn btn-solid" disabled={pending} data-testid="specs-diff-submit">
          {pending ? 'Comparing…' : 'Compare with the specs in force'}
        </button>
      </form>
      {state.kind === 'denied' ? <p data-testid="specs-diff-denied">Enter the explorer token (FIRSTLIGHT_EXPLORER_TOKEN).</p> : null}
      {tooLarge ? <p data-testid="specs-diff-invalid">{tooLarge}</p> : null}
      {!tooLarge && state.kind === 'invalid' ? <p data-testid="specs-diff-invalid">{state.message}</p> : null}
      {!tooLarge && state.kind === 'ready' ? <DiffTable diff={state} /> : null}
    </section>
  );
}
