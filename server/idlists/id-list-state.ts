/**
 * The local copy of Statsig ID lists (statsig-eval.md §9) and the pure steps that update it from the
 * get_id_lists manifest and from incremental `+id` / `-id` file reads. The SDK's ID-list sync and the
 * forward proxy's list relay both keep their copies with these steps: the proxy holds a list's bytes,
 * the SDK its IDs, and which lists to keep, when a file starts over and what a ranged read answered
 * are judged here once.
 */

/** What both readers know of a list they hold: its file, and how many bytes of it they have read. */
export interface ListCopy {
  readBytes: number;
  readonly url: string;
  readonly fileID: string;
  readonly creationTime: number;
}

export interface IdListEntry extends ListCopy {
  readonly ids: Set<string>;
}

export function newIdListEntry(m: ManifestEntry): IdListEntry {
  return { ids: new Set(), readBytes: 0, url: m.url, fileID: m.fileID, creationTime: m.creationTime };
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
 * Reconciles local lists with the manifest: drops lists the manifest no longer has, starts a list over
 * (`create`) when its file changed (another file ID), ignores entries older than the local copy, and
 * calls `announced` with each manifest entry that applies to the copy in force. Returns the lists that
 * need bytes read, with the byte offset to read from.
 */
export function reconcile<E extends ListCopy>(
  lists: Map<string, E>,
  manifest: readonly ManifestEntry[],
  create: (m: ManifestEntry) => E,
  announced?: (copy: E, m: ManifestEntry) => void,
): { name: string; url: string; from: number }[] {
  const names = new Set(manifest.map((m) => m.name));
  for (const name of [...lists.keys()]) if (!names.has(name)) lists.delete(name);
  const reads: { name: string; url: string; from: number }[] = [];
  for (const m of manifest) {
    let local = lists.get(m.name);
    if (local && m.creationTime < local.creationTime) continue;
    if (!local || local.fileID !== m.fileID) {
      local = create(m);
      lists.set(m.name, local);
    }
    announced?.(local, m);
    if (m.size > local.readBytes) reads.push({ name: m.name, url: local.url, from: local.readBytes });
  }
  return reads;
}

/**
 * What a read of a list file from byte `from` (`Range: bytes=<from>-`) answered:
 * - `append`: the bytes that follow the ones held (a 206 from `from`; a 200 when `from` is 0);
 * - `restart`: the whole file (a 200 to a ranged read: the server ignored the range), held bytes go;
 * - `bad`: anything else (another status, a 206 from another offset, a body that does not start a
 *   `+id`/`-id` line): the list is read again from byte 0.
 * A 206 without Content-Range is taken as continuing where asked, as statsig-node takes it.
 */
export type ListRead = { readonly kind: 'append' | 'restart' } | { readonly kind: 'bad'; readonly reason: string };

export function judgeListRead(from: number, status: number, contentRange: string | undefined, firstChar: string): ListRead {
  let kind: 'append' | 'restart';
  if (status === 200) kind = from === 0 ? 'append' : 'restart';
  else if (status === 206) {
    const start = contentRange === undefined ? null : /^bytes (\d+)-/.exec(contentRange);
    if (contentRange !== undefined && (!start || Number(start[1]) !== from)) {
      return { kind: 'bad', reason: `the read from byte ${from} answered range ${contentRange}` };
    }
    kind = 'append';
  } else return { kind: 'bad', reason: `the read from byte ${from} answered ${status}` };
  if (firstChar !== '+' && firstChar !== '-') return { kind: 'bad', reason: `the read from byte ${from} did not start with +/-` };
  return { kind };
}

/**
 * Applies one read of a list file (judged by judgeListRead). A bad read drops the list, so it is read
 * from byte 0 on the next sync: the answer is then the reason, else null.
 */
export function applyListBody(lists: Map<string, IdListEntry>, name: string, read: ListRead, body: string, byteLength: number): string | null {
  const entry = lists.get(name);
  if (!entry) return 'the list is no longer in the manifest';
  if (read.kind === 'bad') {
    lists.delete(name);
    return read.reason;
  }
  if (read.kind === 'restart') {
    entry.ids.clear();
    entry.readBytes = 0;
  }
  for (const rawLine of body.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.length <= 1) continue;
    const id = line.slice(1).trim();
    if (line[0] === '+') entry.ids.add(id);
    else if (line[0] === '-') entry.ids.delete(id);
  }
  entry.readBytes += byteLength;
  return null;
}

/** An immutable view of the lists for the evaluator. */
export function snapshotLists(lists: ReadonlyMap<string, IdListEntry>): ReadonlyMap<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  for (const [name, e] of lists) out.set(name, new Set(e.ids));
  return out;
}
