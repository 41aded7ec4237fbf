import type { RolloutRecordsPort, UpdateReport } from '../ports/update.port.js';
import type { OdooClient } from './odoo.client.js';

/** saas.rollout and its lines in the master, over JSON-RPC (docs/contracts.md, "Rollouts"). */
export class MasterRolloutRepository implements RolloutRecordsPort {
  constructor(private readonly client: OdooClient) {}

  async report(rolloutLineId: number, report: UpdateReport): Promise<void> {
    await this.client.executeKw('saas.rollout.line', 'bridge_report', [
      [rolloutLineId],
      report.outcome,
      report.message,
      report.version ?? false,
    ]);
  }

  async setAvailableVersion(version: string): Promise<void> {
    await this.client.executeKw('saas.rollout', 'bridge_set_available_version', [version]);
  }
}
