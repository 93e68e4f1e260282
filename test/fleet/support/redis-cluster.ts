/**
 * Private Redis deployments for the fleet tests, started and removed by the test itself (never the
 * shared 127.0.0.1:6379): a Redis Cluster of 3 masters + 3 replicas made with `redis-cli --cluster
 * create`, a Sentinel-watched master + replica, and a TLS-only server.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestPki } from './certs';
import { waitFor } from './wait';

const run = promisify(execFile);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * `n` ports that are free now, each with its cluster bus port (+10000) free too. Drawn at random, not
 * fixed: suites of several checkouts may run on one machine at once.
 */
export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = 30000 + Math.floor(Math.random() * 25000);
    if (out.includes(p) || out.includes(p + 10000) || out.includes(p - 10000)) continue;
    if ((await portFree(p)) && (await portFree(p + 10000))) out.push(p);
  }
  return out;
}

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

/** A set of redis-server processes in one temporary directory, each restartable and all killed by dispose(). */
class ServerSet {
  readonly dir = mkdtempSync(join(tmpdir(), 'firstlight-redis-deploy-'));
  readonly procs = new Map<number, ChildProcess>();

  spawnServer(port: number, extra: string[]): ChildProcess {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...extra], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.procs.set(port, p);
    p.once('exit', () => {
      if (this.procs.get(port) === p) this.procs.delete(port);
    });
    return p;
  }

  async kill(port: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(port);
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    await exited;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((port) => this.kill(port)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function answers(port: number, ...tlsArgs: string[]): Promise<boolean> {
  try {
    return (await redisCli(port, ...tlsArgs, 'PING')).trim() === 'PONG';
  } catch {
    return false;
  }
}

export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  masterId: string | null;
  failed: boolean;
}

/** Three masters and three replicas on free ports, node timeout 1 s (a dead master is replaced in ~2 s). */
export class RedisClusterDeployment {
  ports: number[] = [];
  readonly #set = new ServerSet();

  /** the seeds: the first three nodes (known after start()) */
  get url(): string {
    return `redis+cluster://${this.ports.slice(0, 3).map((p) => `127.0.0.1:${p}`).join(',')}`;
  }

  async start(): Promise<void> {
    this.ports = await freePorts(6);
    for (const port of this.ports) {
      this.#set.spawnServer(port, [
        '--cluster-enabled', 'yes',
        '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', '1000',
        // a replica may take over however long it was apart from its master (the test kills masters)
        '--cluster-replica-validity-factor', '0',
      ]);
    }
    for (const port of this.ports) await waitFor(`cluster node ${port} up`, () => answers(port), 10_000, 50);
    await run('redis-cli', ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 }).catch((e: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`redis-cli --cluster create failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    });
    await this.waitHealthy();
  }

  /** Every live node reports cluster_state:ok and sees the same number of masters with slots (3). */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    await waitFor('cluster state ok on every live node', async () => {
      for (const port of this.livePorts()) {
        if (!(await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
      }
      return true;
    }, timeoutMs, 100);
  }

  livePorts(): number[] {
    return this.ports.filter((p) => this.#set.procs.has(p));
  }

  async nodes(): Promise<ClusterNodeInfo[]> {
    const text = await redisCli(this.livePorts()[0]!, 'CLUSTER', 'NODES');
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id, addr, flags, master] = line.split(' ');
        return {
          id: id!,
          port: Number(/:(\d+)@/.exec(addr!)?.[1]),
          role: flags!.includes('master') ? 'master' : 'replica',
          masterId: master === '-' ? null : master!,
          failed: /fail/.test(flags!),
        } as ClusterNodeInfo;
      });
  }

  /** The port of the master serving `key`'s slot now (asked of a live node). */
  async masterPortOf(key: string): Promise<number> {
    const port = this.livePorts()[0]!;
    const slot = Number((await redisCli(port, 'CLUSTER', 'KEYSLOT', key)).trim());
    const hit = (await this.slots()).find((s) => s.from <= slot && slot <= s.to);
    if (!hit) throw new Error(`no master serves slot ${slot}`);
    return hit.port;
  }

  async keyslot(key: string): Promise<number> {
    return Number((await redisCli(this.livePorts()[0]!, 'CLUSTER', 'KEYSLOT', key)).trim());
  }

  /** Slot ranges and the port of their (non-failed) master, from CLUSTER NODES. */
  async slots(): Promise<{ from: number; to: number; port: number }[]> {
    const text = await redisCli(this.livePorts()[0]!, 'CLUSTER', 'NODES');
    const out: { from: number; to: number; port: number }[] = [];
    for (const line of text.trim().split('\n')) {
      const parts = line.split(' ');
      if (!parts[2]!.includes('master') || parts[2]!.includes('fail')) continue;
      const port = Number(/:(\d+)@/.exec(parts[1]!)?.[1]);
      for (const range of parts.slice(8)) {
        if (range.startsWith('[')) continue; // a slot being migrated
        const [a, b] = range.split('-');
        out.push({ from: Number(a), to: Number(b ?? a), port });
      }
    }
    return out;
  }

  kill(port: number): Promise<void> {
    return this.#set.kill(port);
  }

  dispose(): Promise<void> {
    return this.#set.dispose();
  }
}

/** A master, one replica and one Sentinel (quorum 1, down-after 1 s) on free ports. */
export class RedisSentinelDeployment {
  readonly #set = new ServerSet();
  masterPort = 0;
  replicaPort = 0;
  sentinelPort = 0;
  readonly name = 'flmaster';

  get url(): string {
    return `redis+sentinel://127.0.0.1:${this.sentinelPort}?name=${this.name}`;
  }

  async start(): Promise<void> {
    [this.masterPort, this.replicaPort, this.sentinelPort] = (await freePorts(3)) as [number, number, number];
    this.#set.spawnServer(this.masterPort, []);
    this.#set.spawnServer(this.replicaPort, ['--replicaof', '127.0.0.1', String(this.masterPort)]);
    await waitFor('sentinel master up', () => answers(this.masterPort), 10_000, 50);
    await waitFor('sentinel replica up', () => answers(this.replicaPort), 10_000, 50);
    await waitFor('replica in sync', async () => (await redisCli(this.replicaPort, 'INFO', 'replication')).includes('master_link_status:up'), 10_000, 50);
    const conf = join(this.#set.dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${this.sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${this.#set.dir}`,
        `sentinel monitor ${this.name} 127.0.0.1 ${this.masterPort} 1`,
        `sentinel down-after-milliseconds ${this.name} 1000`,
        `sentinel failover-timeout ${this.name} 5000`,
        '',
      ].join('\n'),
    );
    const p = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    this.#set.procs.set(this.sentinelPort, p);
    await waitFor('sentinel up', () => answers(this.sentinelPort), 10_000, 50);
    await waitFor('sentinel knows the replica', async () => /\bslave0:/.test(await redisCli(this.sentinelPort, 'INFO', 'sentinel')) || (await redisCli(this.sentinelPort, 'SENTINEL', 'REPLICAS', this.name)).includes(String(this.replicaPort)), 15_000, 100);
  }

  /** Port of the master Sentinel names now. */
  async currentMasterPort(): Promise<number> {
    const out = await redisCli(this.sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name);
    return Number(out.trim().split('\n')[1]);
  }

  /** Sentinel's manual failover: the replica is promoted and the old master becomes its replica. */
  async failover(): Promise<void> {
    await redisCli(this.sentinelPort, 'SENTINEL', 'FAILOVER', this.name);
  }

  dispose(): Promise<void> {
    return this.#set.dispose();
  }
}

/** A redis-server that speaks only TLS on `port` (the certificate from the test's own PKI). */
export class RedisTlsServer {
  readonly #set = new ServerSet();
  port = 0;

  constructor(
    readonly pki: TestPki,
    readonly requireClientCert = false,
  ) {}

  get url(): string {
    return `rediss://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    [this.port] = (await freePorts(1)) as [number];
    const p = this.#set.spawnServer(0, [
      '--tls-port', String(this.port),
      '--tls-cert-file', this.pki.serverCert,
      '--tls-key-file', this.pki.serverKey,
      '--tls-ca-cert-file', this.pki.caCert,
      '--tls-auth-clients', this.requireClientCert ? 'yes' : 'no',
    ]);
    let err = '';
    p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const tls = ['--tls', '--cacert', this.pki.caCert, ...(this.requireClientCert ? ['--cert', this.pki.clientCert, '--key', this.pki.clientKey] : [])];
    await waitFor(`TLS redis-server on ${this.port}${err ? `: ${err}` : ''}`, () => (p.exitCode !== null ? Promise.reject(new Error(`exited: ${err}`)) : answers(this.port, ...tls)), 10_000, 50);
  }

  dispose(): Promise<void> {
    return this.#set.dispose();
  }
}
