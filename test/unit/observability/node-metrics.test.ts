import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerNodeMetrics } from '../../../src/observability/node-metrics.js';
import type { NodeUse } from '../../../src/ports/docker.port.js';

const GIB = 1024 ** 3;

function node(name: string, overrides: Partial<NodeUse> = {}): NodeUse {
  return {
    name,
    ready: true,
    takesTenants: true,
    memoryBytes: 8 * GIB,
    reservedMemoryBytes: 0,
    cpus: 2,
    tenants: 0,
    ...overrides,
  };
}

async function scrape(registry: Registry): Promise<string> {
  return registry.metrics();
}

describe('per-node headroom metrics', () => {
  it('shows what each node can still take, nothing where it takes no tenants or is down', async () => {
    const registry = new Registry();
    const nodes = [
      node('w1', { reservedMemoryBytes: 3 * GIB, tenants: 2 }),
      node('w2', { ready: false, tenants: 1, reservedMemoryBytes: GIB }),
      node('manager', { takesTenants: false }),
    ];
    registerNodeMetrics(registry, async () => nodes);
    const text = await scrape(registry);
    expect(text).toContain(`saas_node_memory_free_bytes{node="w1"} ${5 * GIB}`);
    expect(text).toContain('saas_node_memory_free_bytes{node="w2"} 0');
    expect(text).toContain('saas_node_memory_free_bytes{node="manager"} 0');
    expect(text).toContain(`saas_node_memory_reserved_bytes{node="w2"} ${GIB}`);
    expect(text).toContain('saas_node_tenants{node="w1"} 2');
    expect(text).toContain('saas_node_ready{node="w1"} 1');
    expect(text).toContain('saas_node_ready{node="w2"} 0');
  });

  it('reads the Swarm once per scrape, and drops a node that left', async () => {
    const registry = new Registry();
    let reads = 0;
    let nodes = [node('w1'), node('w2')];
    registerNodeMetrics(registry, async () => {
      reads++;
      return nodes;
    });
    await scrape(registry);
    expect(reads).toBe(1);
    nodes = [node('w1')];
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const text = await scrape(registry);
    expect(reads).toBe(2);
    expect(text).not.toContain('node="w2"');
  });

  it('leaves the gauges empty when the Swarm cannot be read, without failing the scrape', async () => {
    const registry = new Registry();
    registerNodeMetrics(registry, async () => {
      throw new Error('manager gone');
    });
    const text = await scrape(registry);
    expect(text).toContain('# TYPE saas_node_tenants gauge');
    expect(text).not.toContain('saas_node_tenants{');
  });
});
