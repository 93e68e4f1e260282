/**
 * `firstlight generate --size small|large|larger|xlarge --seed N [--out FILE] [--id-lists-out FILE]
 *  [--users N --users-out FILE.jsonl]`
 * A realistic, deterministic download_config_specs payload (and optionally its ID lists and a set
 * of users) for trying the CLI, load tests and benchmarks. The server secret it was issued for is
 * printed on stderr.
 */
import { writeFileSync } from 'node:fs';
import { DCS_SIZES, generateDcs, type DcsSize } from '../generate/generate-dcs';
import { generateUsers } from '../generate/generate-users';
import { CliError, oneOf, parseFlags } from './common';

export const GENERATE_USAGE = `Usage: firstlight generate --size small|large|larger|xlarge --seed N [--out FILE] [--id-lists-out FILE]
                          [--users N --users-out FILE.jsonl]

Writes a generated download_config_specs JSON (stdout unless --out). Same size and seed, same bytes.
  --id-lists-out FILE  its ID lists as {"<listName>": ["<raw id>", ...]}
  --users N            also generate N users (seeded by --seed) into --users-out
`;

const FLAGS = {
  size: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  'id-lists-out': { type: 'string' },
  users: { type: 'string' },
  'users-out': { type: 'string' },
} as const;

function write(flag: string, file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new CliError(`generate: cannot write --${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function runGenerate(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags('generate', argv, FLAGS);
  if (values.help) {
    process.stdout.write(GENERATE_USAGE);
    return 0;
  }
  const size = oneOf<DcsSize>('generate', 'size', values.size as string | undefined, DCS_SIZES, 'small');
  const seedText = (values.seed as string | undefined) ?? '1';
  if (!/^-?\d+$/.test(seedText)) throw new CliError(`generate: --seed must be an integer (got "${seedText}")`);
  const seed = Number(seedText);
  let userCount = 0;
  if (values.users !== undefined) {
    if (!/^\d+$/.test(values.users as string)) throw new CliError(`generate: --users must be a non-negative integer (got "${String(values.users)}")`);
    userCount = Number(values.users);
    if (values['users-out'] === undefined) throw new CliError('generate: --users needs --users-out FILE.jsonl');
  }
  const g = generateDcs({ size, seed });
  const json = JSON.stringify(g.dcs);
  if (values.out) write('out', values.out as string, json);
  else process.stdout.write(`${json}\n`);
  if (values['id-lists-out']) write('id-lists-out', values['id-lists-out'] as string, JSON.stringify(g.idLists));
  if (values['users-out']) {
    const lines = generateUsers(seed, userCount).map((u) => JSON.stringify(u));
    write('users-out', values['users-out'] as string, lines.length ? `${lines.join('\n')}\n` : '');
  }
  process.stderr.write(`generated ${size} specs (seed ${seed}) for server secret ${g.secret}; client keys: ${Object.values(g.clientKeys).join(', ')}\n`);
  return 0;
}
