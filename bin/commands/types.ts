/**
 * `firstlight types (--specs FILE | --source URL [--sdk-key KEY]) [--out FILE] [--check]`
 * Writes the FlagRegistry declaration of a download_config_specs payload (bin/typegen), read from a
 * file or from a running source (./remote-specs: Statsig's CDN or a forward proxy). `--check`
 * writes nothing and exits 1 when --out differs from what the specs give: the CI step that fails a
 * stale file. A malformed payload or a bad flag exits 2 with one line on stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { flagTypesDeclaration } from '../typegen/flag-types-writer';
import { CliError, parseFlags, readSpecs } from './common';
import { DEFAULT_SOURCE_TIMEOUT_MS, loadRemoteSpecs } from './remote-specs';

export const TYPES_USAGE = `Usage: firstlight types (--specs FILE | --source URL [--sdk-key KEY]) [--out FILE] [--check]

Writes a .d.ts that types gate names and each config's, experiment's and layer's parameters for the
accessors of firstlight/next (getRequestFlags) and firstlight/react (the hooks). Stdout unless --out.
  --specs FILE   download_config_specs JSON (v1 or v2)
  --source URL   or download them from a running source: Statsig's API base (https://api.statsigcdn.com/v1),
                 a forward proxy's (http://proxy:7000/v1) or a URL ending in /download_config_specs
  --sdk-key KEY  the server secret for --source (default: STATSIG_SERVER_SECRET, then FIRSTLIGHT_SERVER_SECRET;
                 prefer the environment: a flag is visible to other users of the machine)
  --timeout-ms N per phase of the request, retries aside (default ${DEFAULT_SOURCE_TIMEOUT_MS})
  --out FILE     the declaration file to write (include it in the project's tsconfig)
  --check        write nothing; exit 1 when --out is missing or stale (for CI), 0 when current
`;

const FLAGS = {
  specs: { type: 'string' },
  source: { type: 'string' },
  'sdk-key': { type: 'string' },
  'timeout-ms': { type: 'string' },
  out: { type: 'string' },
  check: { type: 'boolean' },
} as const;

function readCurrent(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`types: cannot read --out ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function runTypes(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags('types', argv, FLAGS);
  if (values.help) {
    process.stdout.write(TYPES_USAGE);
    return 0;
  }
  const specsFile = values.specs as string | undefined;
  const source = values.source as string | undefined;
  if (specsFile !== undefined && source !== undefined) throw new CliError('types: give --specs FILE or --source URL, not both');
  if (!specsFile && !source) throw new CliError('types: missing required flag --specs FILE (or --source URL)');
  if (source === undefined && (values['sdk-key'] !== undefined || values['timeout-ms'] !== undefined)) {
    throw new CliError('types: --sdk-key and --timeout-ms go with --source URL');
  }
  const out = values.out as string | undefined;
  if (values.check && !out) throw new CliError('types: --check needs --out FILE (the file to compare)');
  const loaded = source
    ? await loadRemoteSpecs('types', { source, sdkKey: values['sdk-key'] as string | undefined, timeoutMs: values['timeout-ms'] as string | undefined, env: process.env })
    : { specs: readSpecs('types', specsFile!, {}), url: null };
  const from = loaded.url === null ? `--specs ${specsFile}` : `--source ${source}`;
  const { text, summary } = flagTypesDeclaration(loaded.specs);
  const counts = `${summary.gates} gates, ${summary.configs} configs, ${summary.experiments} experiments, ${summary.layers} layers`;
  if (values.check) {
    const current = readCurrent(out!);
    if (current === text) {
      process.stderr.write(`types: ${out} is current (${counts})\n`);
      return 0;
    }
    process.stderr.write(`types: ${out} is ${current === null ? 'missing' : 'stale'}; regenerate it: firstlight types ${from} --out ${out}\n`);
    return 1;
  }
  if (!out) {
    process.stdout.write(text);
    return 0;
  }
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw new CliError(`types: cannot write --out ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  process.stderr.write(`types: wrote ${out} (${counts})\n`);
  return 0;
}
