import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { E2E } from './env';

export default function globalSetup(): void {
  mkdirSync(dirname(E2E.eventLog), { recursive: true });
  rmSync(E2E.eventLog, { force: true });
}
