import { z } from 'zod';
import { BridgeError } from '../errors.js';
import {
  BACKUP_STATES,
  type BackupKind,
  type BackupPolicy,
  type BackupRecordInfo,
  type BackupRecordPatch,
  type BackupRecordsPort,
} from '../ports/backup.port.js';
import type { OdooClient } from './odoo.client.js';

const idList = z.array(z.number().int().positive());
const policyRow = z.object({
  id: z.number().int(),
  saas_backup_interval_hours: z.number().int().min(1),
  saas_backup_keep: z.number().int().min(1),
});
const recordRow = z.object({
  id: z.number().int().positive(),
  instance_id: z.union([z.tuple([z.number().int(), z.string()]), z.literal(false)]),
  snapshot_id: z.union([z.string(), z.literal(false)]),
  state: z.enum(BACKUP_STATES),
});
const newestRow = z.object({
  instance_id: z.union([z.tuple([z.number().int(), z.string()]), z.literal(false)]),
  create_date: z.union([z.string(), z.literal(false)]),
});

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new BridgeError('odoo_bad_answer', `master Odoo sent an unexpected ${what}`);
  return parsed.data;
}

/** Odoo datetimes are UTC without a zone: "2026-12-01 20:00:00" */
function odooTime(value: string): number {
  return Date.parse(`${value.replace(' ', 'T')}Z`);
}

/** saas.backup records and plan backup policies in the master, over JSON-RPC. */
export class MasterBackupRepository implements BackupRecordsPort {
  constructor(private readonly client: OdooClient) {}

  async ensureBackupRecord(
    jobRef: string,
    instanceId: number | undefined,
    kind: BackupKind,
    recordId?: number,
  ): Promise<number> {
    if (recordId) {
      await this.client.executeKw('saas.backup', 'write', [[recordId], { job_ref: jobRef }]);
      return recordId;
    }
    const found = parse(
      idList,
      await this.client.executeKw('saas.backup', 'search', [[['job_ref', '=', jobRef]]], {
        limit: 1,
      }),
      'saas.backup search answer',
    );
    if (found[0]) return found[0];
    const created = await this.client.executeKw('saas.backup', 'create', [
      { instance_id: instanceId ?? false, kind, state: 'pending', job_ref: jobRef },
    ]);
    return parse(z.number().int().positive(), created, 'saas.backup id');
  }

  async updateBackupRecord(id: number, patch: BackupRecordPatch): Promise<void> {
    await this.client.executeKw('saas.backup', 'write', [[id], patch]);
  }

  async pruneBackupRecords(
    instanceId: number | undefined,
    keptSnapshots: string[],
  ): Promise<number> {
    const rows = parse(
      z.array(
        z.object({ id: z.number().int(), snapshot_id: z.union([z.string(), z.literal(false)]) }),
      ),
      await this.client.executeKw(
        'saas.backup',
        'search_read',
        [
          [
            ['instance_id', '=', instanceId ?? false],
            ['state', '=', 'done'],
          ],
        ],
        { fields: ['snapshot_id'] },
      ),
      'saas.backup records',
    );
    const gone = rows
      .filter(
        (r) => !r.snapshot_id || !keptSnapshots.some((k) => k.startsWith(r.snapshot_id || '-')),
      )
      .map((r) => r.id);
    if (gone.length) await this.client.executeKw('saas.backup', 'unlink', [gone]);
    return gone.length;
  }

  async backupPolicies(): Promise<Map<number, BackupPolicy>> {
    const rows = parse(
      z.array(policyRow),
      await this.client.executeKw(
        'product.template',
        'search_read',
        [[['saas_is_plan', '=', true]]],
        {
          fields: ['saas_backup_interval_hours', 'saas_backup_keep'],
          context: { active_test: false },
        },
      ),
      'plan backup policy',
    );
    return new Map(
      rows.map((r) => [
        r.id,
        { intervalHours: r.saas_backup_interval_hours, keep: r.saas_backup_keep },
      ]),
    );
  }

  async newestBackups(): Promise<Map<number, number>> {
    const rows = parse(
      z.array(newestRow),
      await this.client.executeKw(
        'saas.backup',
        'read_group',
        [[['state', '=', 'done']], ['create_date:max'], ['instance_id']],
        { lazy: false },
      ),
      'saas.backup groups',
    );
    const newest = new Map<number, number>();
    for (const row of rows) {
      if (row.create_date === false) continue;
      newest.set(row.instance_id === false ? 0 : row.instance_id[0], odooTime(row.create_date));
    }
    return newest;
  }

  async getBackupRecord(id: number): Promise<BackupRecordInfo | undefined> {
    const rows = parse(
      z.array(recordRow),
      await this.client.executeKw('saas.backup', 'search_read', [[['id', '=', id]]], {
        fields: ['instance_id', 'snapshot_id', 'state'],
      }),
      'saas.backup record',
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      instanceId: row.instance_id === false ? undefined : row.instance_id[0],
      snapshotId: row.snapshot_id || undefined,
      state: row.state,
    };
  }

  async expireBackupRecords(instanceId: number): Promise<number> {
    const ids = parse(
      idList,
      await this.client.executeKw('saas.backup', 'search', [
        [
          ['instance_id', '=', instanceId],
          ['state', '!=', 'expired'],
        ],
      ]),
      'saas.backup search answer',
    );
    if (ids.length)
      await this.client.executeKw('saas.backup', 'write', [ids, { state: 'expired' }]);
    return ids.length;
  }
}
