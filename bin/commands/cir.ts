/**
 * `firstlight cir --specs FILE --users FILE.jsonl [--hash djb2|sha256|none] [--client-key KEY]
 *  [--secret KEY] [--id-lists FILE.json] [--environment TIER]`
 * One client initialize response (bootstrap JSON) per user, in input order — what
 * statsig-node's getClientInitializeResponse gives, for conformance checks.
 */
import { clientInitializeResponseJSON, type HashMode } from '../../lib/index';
import { oneOf, parseFlags, readIdLists, readSpecs, readUsers, requireFlag, writeLine } from './common';

export const CIR_USAGE = `Usage: firstlight cir --specs FILE --users FILE.jsonl [--hash djb2|sha256|none] [--client-key KEY]
                     [--secret KEY] [--id-lists FILE.json] [--environment TIER]

Prints one client initialize response JSON per user (one per line, in input order).
  --hash               how entity names are hashed (default djb2)
  --client-key KEY     client SDK key: target-app filtering and target_app conditions
  --secret KEY         server secret: reject specs issued for another key
  --id-lists FILE      {"<listName>": ["<raw id>", ...]}
  --environment TIER   tier for users without statsigEnvironment (else default_environment)
`;

const FLAGS = {
  specs: { type: 'string' },
  users: { type: 'string' },
  hash: { type: 'string' },
  'client-key': { type: 'string' },
  secret: { type: 'string' },
  'id-lists': { type: 'string' },
  environment: { type: 'string' },
} as const;

export async function runCir(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags('cir', argv, FLAGS);
  if (values.help) {
    process.stdout.write(CIR_USAGE);
    return 0;
  }
  const specsFile = requireFlag('cir', values, 'specs');
  const usersFile = requireFlag('cir', values, 'users');
  const hash = oneOf<HashMode>('cir', 'hash', values.hash as string | undefined, ['djb2', 'sha256', 'none'], 'djb2');
  const idLists = readIdLists('cir', values['id-lists'] as string | undefined);
  const specs = readSpecs('cir', specsFile, { secret: values.secret as string | undefined, idLists });
  const clientKey = values['client-key'] as string | undefined;
  const environment = values.environment as string | undefined;
  for await (const user of readUsers('cir', usersFile)) {
    await writeLine(clientInitializeResponseJSON(specs, user, { hash, clientKey, environment }));
  }
  return 0;
}
