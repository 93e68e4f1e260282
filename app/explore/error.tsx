'use client';

/** A failure while rendering the explorer or answering its diff form: said on the page, with a way back. */
export default function ExploreError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="page explorer">
      <h1>Evaluation explorer</h1>
      <p data-testid="explore-error">{`The explorer could not answer${error.digest ? ` (error ${error.digest})` : ''}. The server log has the reason.`}</p>
      <button type="button" className="btn btn-solid" onClick={reset}>
        Try again
      </button>
    </main>
  );
}
