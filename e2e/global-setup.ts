import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { FORMATS, targetOf } from './env';

export default function globalSetup(): void {
  for (const format of FORMATS) {
    // (the servers are already up: their spools stay, their event logs are written from the first event on)
    const { eventLog } = targetOf(format);
    mkdirSync(dirname(eventLog), { recursive: true });
    rmSync(eventLog, { force: true });
  }
}
