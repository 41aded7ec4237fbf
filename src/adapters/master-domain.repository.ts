import type { DomainRecordsPort } from '../ports/domain-records.port.js';
import type { OdooClient } from './odoo.client.js';

/** saas.instance.domain in the master: the bridge writes back what a check found. */
export class MasterDomainRepository implements DomainRecordsPort {
  constructor(private readonly client: OdooClient) {}

  async reportCheck(
    domainId: number,
    outcome: Parameters<DomainRecordsPort['reportCheck']>[1],
  ): Promise<void> {
    await this.client.executeKw(
      'saas.instance.domain',
      'bridge_check_result',
      [[domainId], outcome.verified],
      outcome.verified ? {} : { problem: outcome.problem, detail: outcome.detail },
    );
  }
}
