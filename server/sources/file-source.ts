/**
 * Specs from a JSON file (the specsFile option). A load returns null while the file is
 * unchanged (same mtime and size); `watch` reports edits, including editors that replace the file.
 */
import { readFile, stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SourceUnavailableError } from '../../lib/errors';
import type { SpecPayload, SpecSource } from './spec-source';

export class FileSource implements SpecSource {
  readonly name = 'file' as const;
  readonly #path: string;
  readonly #idListsPath: string | null;
  #seen: string | null = null;

  constructor(path: string, idListsPath: string | null = null) {
    this.#path = path;
    this.#idListsPath = idListsPath;
  }

  async load(): Promise<SpecPayload | null> {
    const fingerprint = (await this.#fingerprint(this.#path)) + '|' + (this.#idListsPath ? await this.#fingerprint(this.#idListsPath) : '');
    if (fingerprint === this.#seen) return null;
    const text = await this.#read(this.#path);
    const idLists = this.#idListsPath ? parseIdLists(await this.#read(this.#idListsPath), this.#idListsPath) : undefined;
    this.#seen = fingerprint;
    return idLists ? { origin: 'file', text, idLists } : { origin: 'file', text };
  }

  watch(onChange: () => void): () => void {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    const fire = () => {
      // editors write in several steps; settle first
      clearTimeout(timer);
      timer = setTimeout(onChange, 25);
      timer.unref();
    };
    for (const path of [this.#path, this.#idListsPath]) {
      if (!path) continue;
      try {
        const name = basename(path);
        const w = watch(dirname(path), { persistent: false }, (_event, file) => {
          if (file === null || String(file) === name) fire();
        });
        w.on('error', () => {});
        watchers.push(w);
      } catch {
        // no watch support (or no directory yet): the sync loop still notices changes by polling
      }
    }
    return () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    };
  }

  async #fingerprint(path: string): Promise<string> {
    try {
      const s = await stat(path);
      return `${s.mtimeMs}:${s.size}`;
    } catch (err) {
      throw new SourceUnavailableError(`firstlight: cannot read specs file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async #read(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new SourceUnavailableError(`firstlight: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function parseIdLists(text: string, path: string): Record<string, string[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SourceUnavailableError(`firstlight: ID lists file ${path} is not JSON`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SourceUnavailableError(`firstlight: ID lists file ${path} must map list names to arrays of IDs`);
  }
  const out: Record<string, string[]> = {};
  for (const [name, ids] of Object.entries(value)) {
    if (!Array.isArray(ids)) throw new SourceUnavailableError(`firstlight: ID list "${name}" in ${path} must be an array`);
    out[name] = ids.map(String);
  }
  return out;
}
