/** The checked-in example payload, ID lists and users (test/fixtures). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));

export const FIXTURE_SECRET = 'secret-test-key';
export const FIXTURE_DCS_FILE = `${dir}example-dcs.json`;
export const FIXTURE_USERS_FILE = `${dir}example-users.jsonl`;
export const FIXTURE_IDLISTS_FILE = `${dir}example-idlists.json`;
export const FIXTURE_GOLDEN_FILE = `${dir}example-dcs.gcir-u1-client-key-web-djb2.json`;

export function fixtureDcsJson(): string {
  return readFileSync(FIXTURE_DCS_FILE, 'utf8');
}
export function fixtureIdLists(): Record<string, string[]> {
  return JSON.parse(readFileSync(FIXTURE_IDLISTS_FILE, 'utf8')) as Record<string, string[]>;
}
export function fixtureUsers(): Record<string, unknown>[] {
  return readFileSync(FIXTURE_USERS_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
export function fixtureGolden(): Record<string, unknown> {
  return JSON.parse(readFileSync(FIXTURE_GOLDEN_FILE, 'utf8')) as Record<string, unknown>;
}
