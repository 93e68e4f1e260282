/**
 * The local copy of Statsig ID lists (statsig-eval.md §9) and the pure steps that update it from the
 * get_id_lists manifest and from incremental `+id` / `-id` file reads.
 */

export interface IdListEntry {
  readonly ids: Set<string>;
  readBytes: number;
  readonly url: string;
  readonly fileID: string;
  readonly creationTime: number;
}

export interface ManifestEntry {
  readonly name: string;
  readonly url: string;
  readonly fileID: string;
  readonly size: number;
  readonly creationTime: number;
}

/**
 * Entries of a manifest that can be used; malformed entries are skipped, as statsig-node does.
 * null when the manifest itself is not an object: the caller keeps its lists.
 */
export function readManifest(json: unknown): ManifestEntry[] | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const out: ManifestEntry[] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    const e = v as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null) continue;
    if (typeof e.url !== 'string' || typeof e.fileID !== 'string') continue;
    const size = typeof e.size === 'number' && Number.isFinite(e.size) ? e.size : 0;
    const creationTime = typeof e.creationTime === 'number' && Number.isFinite(e.creationTime) ? e.creationTime : 0;
    out.push({ name, url: e.url, fileID: e.fileID, size, creationTime });
  }
  return out;
}

/**
 * Reconciles local lists with the manifest: drops lists the manifest no longer has, resets a list whose
 * file changed (a newer file ID), ignores entries older than the local copy. Returns the lists that
 * need bytes read, with the byte offset to read from.
 */
export function reconcile(lists: Map<string, IdListEntry>, manifest: readonly ManifestEntry[]): { name: string; url: string; from: number }[] {
  const names = new Set(manifest.map((m) => m.name));
  for (const name of [...lists.keys()]) if (!names.has(name)) lists.delete(name);
  const reads: { name: string; url: string; from: number }[] = [];
  for (const m of manifest) {
    let local = lists.get(m.name);
    if (local && m.creationTime < local.creationTime) continue;
    if (!local || local.fileID !== m.fileID) {
      local = { ids: new Set(), readBytes: 0, url: m.url, fileID: m.fileID, creationTime: m.creationTime };
      lists.set(m.name, local);
    }
    if (m.size > local.readBytes) reads.push({ name: m.name, url: local.url, from: local.readBytes });
  }
  return reads;
}

/**
 * Applies one read of a list file. A body that does not start with `+` or `-` means the range was
 * wrong: the list is dropped and read from byte 0 on the next sync. Returns false in that case.
 */
export function applyListBody(lists: Map<string, IdListEntry>, name: string, body: string, byteLength: number): boolean {
  const entry = lists.get(name);
  if (!entry) return false;
  const first = body.charAt(0);
  if (first !== '+' && first !== '-') {
    lists.delete(name);
    return false;
  }
  for (const rawLine of body.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.length <= 1) continue;
    const id = line.slice(1).trim();
    if (line[0] === '+') entry.ids.add(id);
    else if (line[0] === '-') entry.ids.delete(id);
  }
  entry.readBytes += byteLength;
  return true;
}

/** An immutable view of the lists for the evaluator. */
export function snapshotLists(lists: ReadonlyMap<string, IdListEntry>): ReadonlyMap<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  for (const [name, e] of lists) out.set(name, new Set(e.ids));
  return out;
}
