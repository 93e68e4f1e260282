'use server';
import { explorerSpecsDiff, type ExplorerSpecsDiff } from 'firstlight/next';

/** The spec-version diff form's action: the work and every check are in firstlight/next. */
export async function diffSpecs(_previous: ExplorerSpecsDiff, form: FormData): Promise<ExplorerSpecsDiff> {
  return explorerSpecsDiff(form);
}
