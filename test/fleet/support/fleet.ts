/** Process helpers for the fleet test and the propagation benchmark: proxies and SDK instances as children. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { ProxyHealth } from '../../../server/proxy/proxy';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ProxyChild {
  name: string;
  url: string;
  /** host:port of the gRPC front-end when started with --mode grpc or grpc-and-http */
  grpcAddr: string | null;
  proc: ChildProcess;
  output: string[];
  health(): Promise<ProxyHealth>;
}

/**
 * Every proxy child started in this process, with its output: the proxy suites' guard
 * (./no-unhandled.ts) scans them for escaped rejections (this module stays free of node:test so
 * the benchmarks can use it).
 */
export const proxyChildren: { name: string; output: readonly string[] }[] = [];

export async function startProxyChild(name: string, args: string[]): Promise<ProxyChild> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bin/proxy.ts', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proxyChildren.push({ name, output });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('')}`)), 20_000);
    const onData = (d: Buffer) => {
      output.push(d.toString());
      const m = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output.join('')}`));
    });
  });
  const grpcAddr = /gRPC listening on (\S+)/.exec(output.join(''))?.[1] ?? null;
  return {
    name,
    url,
    grpcAddr,
    proc,
    output,
    async health() {
      const r = await request(`${url}/health`, { headersTimeout: 2000, bodyTimeout: 2000 });
      return (await r.body.json()) as ProxyHealth;
    },
  };
}

export interface LcutReport {
  lcut: number;
  at: number;
  value: boolean;
}

export interface InstanceChild {
  name: string;
  proc: ChildProcess;
  reports: LcutReport[];
  /** everything the child wrote to stdout and stderr */
  output: readonly string[];
  /** wall-clock ms of the first report with lcut >= `lcut`, or null */
  seenAt(lcut: number): number | null;
  eval(): Promise<{ lcut: number; value: boolean; reason: string; store: boolean; degraded: boolean }>;
  stop(): Promise<void>;
}

export async function startInstance(name: string, env: Record<string, string>): Promise<InstanceChild> {
  const proc = fork(fileURLToPath(new URL('./sdk-instance.ts', import.meta.url)), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env, FL_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const reports: LcutReport[] = [];
  const pending = new Map<number, (v: never) => void>();
  let nextId = 1;
  proc.on('message', (m: { type: string; id?: number } & Record<string, unknown>) => {
    if (m.type === 'lcut') reports.push({ lcut: m.lcut as number, at: m.at as number, value: m.value as boolean });
    if (m.type === 'eval' && m.id !== undefined) {
      pending.get(m.id)?.(m as never);
      pending.delete(m.id);
    }
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready:\n${output.join('')}`)), 30_000);
    proc.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve();
      }
      if (m.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${name}: ${m.message}`));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output.join('')}`));
    });
  });
  return {
    name,
    proc,
    reports,
    output,
    seenAt(lcut) {
      return reports.find((r) => r.lcut >= lcut)?.at ?? null;
    },
    eval() {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: eval timed out`)), 5000);
        pending.set(id, ((v: never) => {
          clearTimeout(timer);
          resolve(v);
        }) as (v: never) => void);
        proc.send({ cmd: 'eval', id });
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.send({ cmd: 'stop' });
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function stopChild(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}
