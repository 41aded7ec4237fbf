import type { DomainProbePort, ProbeResult } from '../../../src/ports/domain-probe.port.js';
import type { DomainRecordsPort } from '../../../src/ports/domain-records.port.js';
import type { FakeProxy } from './fake-proxy.js';

/**
 * The internet's DNS in memory: a domain points here (what our proxy serves for it answers), to
 * another address, or nowhere.
 */
export class FakeDomainProbe implements DomainProbePort {
  readonly dns = new Map<string, 'here' | string>();
  readonly probes: { domain: string; port: number; path: string }[] = [];

  constructor(private readonly proxy: FakeProxy) {}

  async probe(domain: string, port: number, path: string): Promise<ProbeResult> {
    this.probes.push({ domain, port, path });
    const target = this.dns.get(domain);
    if (!target) return { kind: 'no-record' };
    if (target !== 'here') return { kind: 'unreachable', addresses: [target], reason: 'refused' };
    const challenge = this.proxy.challenges.get(domain);
    return challenge?.path === path
      ? { kind: 'answered', addresses: ['192.0.2.1'], status: 200, body: challenge.body }
      : { kind: 'answered', addresses: ['192.0.2.1'], status: 404, body: 'none' };
  }
}

/** saas.instance.domain as the bridge reports on it */
export class FakeDomainRecords implements DomainRecordsPort {
  readonly reports: {
    domainId: number;
    outcome: Parameters<DomainRecordsPort['reportCheck']>[1];
  }[] = [];

  async reportCheck(
    domainId: number,
    outcome: Parameters<DomainRecordsPort['reportCheck']>[1],
  ): Promise<void> {
    this.reports.push({ domainId, outcome });
  }
}
