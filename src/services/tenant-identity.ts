import { createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { BridgeAccess } from '../ports/database.port.js';
import type { ContainerInfo } from '../ports/docker.port.js';
import type { InstanceRecord, PlanRecord } from '../ports/odoo.port.js';
import { tenantContainerName, tenantDbName, tenantHost } from './naming.js';

const pbkdf2Async = promisify(pbkdf2);

/** login of the technical user saas_tenant creates in every template (docs/contracts.md) */
export const BRIDGE_LOGIN = '__saas_bridge__';
export const OWNER_LABEL = 'saas.owner';
export const INSTANCE_LABEL = 'saas.instance';
export const TENANT_LABEL = 'saas.tenant';
/** a warm spare's container: made for nobody; it keeps this label once an instance takes it */
export const SPARE_LABEL = 'saas.spare';
/** the template a spare was cloned from (a new template makes it outdated) */
export const SPARE_TEMPLATE_LABEL = 'saas.template';
/** Odoo's KEY_CRYPT_CONTEXT: API keys are random, so they need no key stretching beyond this */
const API_KEY_ROUNDS = 6000;

export interface TenantNames {
  ref: string;
  /** database, role and data dir */
  db: string;
  container: string;
  /** the only name made from the subdomain */
  host: string;
}

export type MarkerVerdict = 'ours' | 'ours-unowned' | 'taken' | 'none';

export interface TenantIdentityOptions {
  /** the master database's uuid (odoo.port.ts ownerId), or SAAS_OWNER */
  owner: string;
  baseDomain: string;
  /** TENANT_BRIDGE_SECRET: the technical user's API key of each tenant is recomputed from it */
  bridgeSecret: string;
}

/**
 * Who a tenant is and who owns it: names from the stable tenant ref, the owner on every label, route and
 * database comment, and the bridge's credential in each tenant. Two stacks (or a stack and a test run) on
 * one machine tell their tenants apart by the owner; a re-sold subdomain never names another's resources.
 */
export class TenantIdentity {
  constructor(private readonly options: TenantIdentityOptions) {}

  get owner(): string {
    return this.options.owner;
  }

  namesOf(instance: Pick<InstanceRecord, 'tenantRef' | 'subdomain'>): TenantNames {
    return {
      ref: instance.tenantRef,
      db: tenantDbName(instance.tenantRef),
      container: tenantContainerName(instance.tenantRef),
      host: tenantHost(instance.subdomain, this.options.baseDomain),
    };
  }

  containerLabels(instance: InstanceRecord, plan: PlanRecord): Record<string, string> {
    return {
      [OWNER_LABEL]: this.owner,
      [INSTANCE_LABEL]: String(instance.id),
      [TENANT_LABEL]: instance.tenantRef,
      'saas.plan': plan.code,
      'saas.subdomain': instance.subdomain,
    };
  }

  /**
   * A warm spare's container: no instance (Docker labels never change on a container, so one
   * taken by an instance is known by its tenant label: ownsContainer)
   */
  spareLabels(ref: string, plan: PlanRecord, template: string): Record<string, string> {
    return {
      [OWNER_LABEL]: this.owner,
      [TENANT_LABEL]: ref,
      [SPARE_LABEL]: '1',
      [SPARE_TEMPLATE_LABEL]: template,
      'saas.plan': plan.code,
    };
  }

  /** COMMENT ON DATABASE / ROLE of a warm spare nobody has taken yet */
  spareMarker(ref: string): string {
    return `saas:spare:${ref} owner:${this.owner}`;
  }

  /** a container of ours made as a spare (taken or not) */
  isSpare(container: ContainerInfo): boolean {
    return container.labels[SPARE_LABEL] === '1' && container.labels[OWNER_LABEL] === this.owner;
  }

  routeLabels(instance: InstanceRecord): Record<string, string> {
    return {
      saas_owner: this.owner,
      saas_instance: String(instance.id),
      saas_tenant: instance.tenantRef,
    };
  }

  /** COMMENT ON DATABASE / ROLE of a tenant */
  marker(instanceId: number): string {
    return `saas:instance:${instanceId} owner:${this.owner}`;
  }

  /**
   * Whose a database is. A marker without owner was written before owners existed: it is this
   * instance's when the id matches (the names of those tenants came from this master's subdomains).
   */
  judgeMarker(marker: string | undefined, instanceId: number): MarkerVerdict {
    if (marker === undefined) return 'none';
    const match = /^saas:instance:(\d+)(?: owner:(\S+))?$/.exec(marker);
    if (!match || match[1] !== String(instanceId)) return 'taken';
    if (match[2] === undefined) return 'ours-unowned';
    return match[2] === this.owner ? 'ours' : 'taken';
  }

  /**
   * this instance's container: its instance label, and our owner (or none, made before owners
   * existed); or a warm spare of ours the instance took, whose tenant label is the instance's ref
   */
  ownsContainer(
    container: ContainerInfo,
    instance: Pick<InstanceRecord, 'id' | 'tenantRef'>,
  ): boolean {
    const owner = container.labels[OWNER_LABEL];
    if (this.isSpare(container)) return container.labels[TENANT_LABEL] === instance.tenantRef;
    return (
      container.labels[INSTANCE_LABEL] === String(instance.id) &&
      (owner === undefined || owner === this.owner)
    );
  }

  /** The technical user's API key in the tenant: recomputed, never stored by the bridge. */
  bridgeKey(tenantRef: string): string {
    // Odoo's own keys are 40 hex characters; the first 8 are its lookup index
    return createHmac('sha256', this.options.bridgeSecret)
      .update(`saas-tenant-bridge:${tenantRef}`)
      .digest('hex')
      .slice(0, 40);
  }

  async bridgeAccess(tenantRef: string): Promise<BridgeAccess> {
    const key = this.bridgeKey(tenantRef);
    return { login: BRIDGE_LOGIN, keyIndex: key.slice(0, 8), keyHash: await passlibHash(key) };
  }
}

/**
 * passlib's pbkdf2_sha512 format, which Odoo verifies: $pbkdf2-sha512$<rounds>$<salt>$<checksum>,
 * salt and checksum in passlib's "ab64" (base64, '+' as '.', no padding).
 */
export async function passlibHash(secret: string, rounds = API_KEY_ROUNDS): Promise<string> {
  const salt = randomBytes(16);
  const checksum = await pbkdf2Async(secret, salt, rounds, 64, 'sha512');
  return `$pbkdf2-sha512$${rounds}$${ab64(salt)}$${ab64(checksum)}`;
}

/** checks a secret against a passlib pbkdf2_sha512 hash (tests, and the fakes behind our ports) */
export async function passlibVerify(secret: string, hash: string): Promise<boolean> {
  const match = /^\$pbkdf2-sha512\$(\d+)\$([./A-Za-z0-9]+)\$([./A-Za-z0-9]+)$/.exec(hash);
  if (!match) return false;
  const salt = Buffer.from((match[2] ?? '').replaceAll('.', '+'), 'base64');
  const checksum = await pbkdf2Async(secret, salt, Number(match[1]), 64, 'sha512');
  return ab64(checksum) === match[3];
}

function ab64(bytes: Buffer): string {
  return bytes.toString('base64').replaceAll('+', '.').replace(/=+$/, '');
}
