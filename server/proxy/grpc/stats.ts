/** The stream hub's figures for /health (the same events as the Prometheus metrics), apart from the hub so the proxy's declarations need no gRPC types. */
export interface HubStats {
  openStreams: number;
  pushesFull: number;
  pushesKeepalive: number;
  superseded: number;
  closedStuck: number;
  closedRefused: number;
  /** from receiving a new lcut's payload to handing it to every open stream of its key, last 512 pushes */
  pushLatencyMs: { n: number; p50: number | null; p99: number | null; max: number | null };
}
