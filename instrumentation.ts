// Next.js calls register() once when a server starts: validate the environment there, so a bad
// FIRSTLIGHT_* value stops the service at start-up with a clear message, not on the first request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { checkConfig } = await import('firstlight/next');
  checkConfig();
}
