import type {
  InstancePatch,
  InstanceRecord,
  OdooPort,
  PlanRecord,
} from '../../../src/ports/odoo.port.js';

/** What the bridge wrote besides the fields it reads back. */
export interface FakeInstance extends InstanceRecord {
  directUrl?: string;
  lastError?: string;
  suspendedSince?: string;
}

/** The master Odoo in memory: instances, plans, every patch and chatter note in order. */
export class FakeOdoo implements OdooPort {
  readonly instances = new Map<number, FakeInstance>();
  readonly plans = new Map<number, PlanRecord>();
  readonly patches: { id: number; patch: InstancePatch }[] = [];
  readonly notes: { id: number; body: string }[] = [];
  /** the master database's uuid, the owner of its tenants */
  owner = 'fake-master-uuid-0001';
  /** open invoices' portal links by `<instance>:<invoice>`, as the master answers them now */
  readonly payUrls = new Map<string, string>();

  addPlan(plan: PlanRecord): PlanRecord {
    this.plans.set(plan.id, plan);
    return plan;
  }

  addInstance(instance: FakeInstance): FakeInstance {
    // like the master's unique index on tenant_ref
    const twin = [...this.instances.values()].find(
      (i) => i.tenantRef === instance.tenantRef && i.id !== instance.id,
    );
    if (twin)
      throw new Error(`fake odoo: tenant_ref ${instance.tenantRef} is instance ${twin.id}'s`);
    this.instances.set(instance.id, instance);
    return instance;
  }

  instance(id: number): FakeInstance {
    const found = this.instances.get(id);
    if (!found) throw new Error(`fake odoo: no instance ${id}`);
    return found;
  }

  /** the states written for an instance, in order */
  statesOf(id: number): string[] {
    return this.patches
      .filter((p) => p.id === id && p.patch.state)
      .map((p) => p.patch.state as string);
  }

  async ping(): Promise<void> {}

  async invoicePayUrl(instanceId: number, invoiceId: number): Promise<string | undefined> {
    return this.payUrls.get(`${instanceId}:${invoiceId}`);
  }

  async ownerId(): Promise<string> {
    return this.owner;
  }

  async getInstance(id: number): Promise<InstanceRecord | undefined> {
    const found = this.instances.get(id);
    return found ? structuredClone(found) : undefined;
  }

  async listInstances(): Promise<InstanceRecord[]> {
    return [...this.instances.values()].map((i) => structuredClone(i));
  }

  async getPlan(id: number): Promise<PlanRecord> {
    const plan = this.plans.get(id);
    if (!plan) throw new Error(`fake odoo: no plan ${id}`);
    return structuredClone(plan);
  }

  async listPlans(): Promise<PlanRecord[]> {
    return [...this.plans.values()].map((p) => structuredClone(p));
  }

  async updateInstance(id: number, patch: InstancePatch, note?: string): Promise<void> {
    const record = this.instance(id);
    if (note !== undefined) this.notes.push({ id, body: note });
    this.patches.push({ id, patch: { ...patch } });
    const text = (v: string | false | undefined) => (v === false ? undefined : v);
    if (patch.state !== undefined) record.state = patch.state;
    if (patch.url !== undefined) record.url = patch.url;
    if (patch.direct_url !== undefined) record.directUrl = patch.direct_url;
    if (patch.db_name !== undefined) record.dbName = patch.db_name;
    if (patch.container_ref !== undefined) record.containerRef = patch.container_ref;
    if (patch.node_name !== undefined) record.node = patch.node_name;
    if (patch.admin_login !== undefined) record.adminLogin = patch.admin_login;
    if (patch.initial_password !== undefined) record.initialPassword = patch.initial_password;
    if (patch.last_error !== undefined) record.lastError = text(patch.last_error);
    if (patch.provisioned_at !== undefined) record.provisionedAt = patch.provisioned_at;
    if (patch.suspended_since !== undefined) record.suspendedSince = text(patch.suspended_since);
    if (patch.expiration_date !== undefined) record.expirationDate = patch.expiration_date;
    if (patch.purged_at !== undefined) record.purgedAt = patch.purged_at;
    if (patch.tenant_version !== undefined) record.tenantVersion = patch.tenant_version;
    if (patch.tenant_ref !== undefined) {
      // like saas_master: only an instance that never ran takes a spare's ref
      if (record.provisionedAt) throw new Error('The tenant ID of an instance never changes.');
      record.tenantRef = patch.tenant_ref;
    }
    if (patch.sleeping !== undefined) record.sleeping = patch.sleeping;
    if (patch.sleeping_since !== undefined) record.sleepingSince = text(patch.sleeping_since);
    // like saas_master: an instance that leaves `running` sleeps no more (hibernation)
    if (patch.state !== undefined && patch.state !== 'running') {
      record.sleeping = false;
      record.sleepingSince = undefined;
    }
  }

  async postNote(id: number, body: string): Promise<void> {
    this.instance(id);
    this.notes.push({ id, body });
  }
}
