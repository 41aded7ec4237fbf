import { Gauge, type Registry } from 'prom-client';
import type { NodeUse } from '../ports/docker.port.js';

/** scrapes of the gauges below within this window share one read of the Swarm */
const CACHE_MS = 2_000;

/**
 * Per-node headroom of a Swarm (DOCKER_MODE=swarm), read from the manager at scrape time: what the
 * scheduler can still place on each node, and how many tenants each runs. A read that fails leaves
 * the gauges empty for that scrape instead of failing /metrics.
 */
export function registerNodeMetrics(registry: Registry, read: () => Promise<NodeUse[]>): void {
  let cached: { at: number; nodes: Promise<NodeUse[]> } | undefined;
  const nodes = () => {
    if (!cached || Date.now() - cached.at > CACHE_MS)
      cached = { at: Date.now(), nodes: read().catch(() => []) };
    return cached.nodes;
  };
  const gauge = (name: string, help: string, value: (n: NodeUse) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['node'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const n of await nodes()) this.set({ node: n.name }, value(n));
      },
    });
  gauge(
    'saas_node_memory_free_bytes',
    'Swarm: memory of each node not reserved by tenant tasks (0 where it takes no tenants or is down)',
    (n) => (n.ready && n.takesTenants ? Math.max(n.memoryBytes - n.reservedMemoryBytes, 0) : 0),
  );
  gauge(
    'saas_node_memory_reserved_bytes',
    'Swarm: memory reserved by the tenant tasks of each node',
    (n) => n.reservedMemoryBytes,
  );
  gauge('saas_node_tenants', 'Swarm: tenant tasks meant to run on each node', (n) => n.tenants);
  gauge('saas_node_ready', 'Swarm: 1 while the node answers and takes tenants', (n) =>
    n.ready && n.takesTenants ? 1 : 0,
  );
}
