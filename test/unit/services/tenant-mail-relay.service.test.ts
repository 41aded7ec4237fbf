import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TenantMailServersPort } from '../../../src/ports/tenant-mail.port.js';
import type { TenantMailRelay } from '../../../src/ports/tenant.port.js';
import { TenantIdentity } from '../../../src/services/tenant-identity.js';
import { TenantMailRelayService } from '../../../src/services/tenant-mail-relay.service.js';
import { FakeFilestore } from '../../support/fakes/fake-filestore.js';
import {
  BASE_DOMAIN,
  BRIDGE_SECRET,
  MAIL_RELAY,
  OWNER,
  draftInstance,
  namesOf,
} from '../../support/world.js';

/** tenant databases with their servers, as addRelayIfNone sees them */
class FakeServers implements TenantMailServersPort {
  readonly servers = new Map<string, string[]>();
  readonly calls: string[] = [];
  failing = new Set<string>();

  async addRelayIfNone(db: string, relay: TenantMailRelay, mailDomain: string): Promise<boolean> {
    this.calls.push(db);
    if (this.failing.has(db)) throw new Error(`${db} unreachable`);
    if ((this.servers.get(db) ?? []).length > 0) return false;
    this.servers.set(db, [`relay ${relay.host}:${relay.port} for ${mailDomain}`]);
    return true;
  }
}

function service(servers: FakeServers, filestore = new FakeFilestore()) {
  const identity = new TenantIdentity({
    owner: OWNER,
    baseDomain: BASE_DOMAIN,
    bridgeSecret: BRIDGE_SECRET,
  });
  return new TenantMailRelayService({
    servers,
    filestore,
    identity,
    relay: MAIL_RELAY,
    logger: pino({ level: 'silent' }),
  });
}

const running = (id: number) =>
  draftInstance({ id, subdomain: `t${id}`, state: 'running', provisionedAt: '2026-01-01' });

describe('TenantMailRelayService.backfill', () => {
  it("adds the relay to running tenants that lack one, for their own host, and leaves the customer's", async () => {
    const servers = new FakeServers();
    servers.servers.set(namesOf(2).db, ['smtp.customer.example']);
    const filestore = new FakeFilestore();
    for (const id of [1, 2]) filestore.configs.set(namesOf(id).db, '[options]\nadmin_passwd = x\n');
    const added = await service(servers, filestore).backfill([running(1), running(2)]);
    expect(added).toEqual([1]);
    expect(servers.servers.get(namesOf(1).db)).toEqual([
      `relay ${MAIL_RELAY.host}:${MAIL_RELAY.port} for t1.${BASE_DOMAIN}`,
    ]);
    expect(servers.servers.get(namesOf(2).db)).toEqual(['smtp.customer.example']);
    // mails from other domains go out from the tenant's notifications address, as a new one's
    expect(filestore.configs.get(namesOf(1).db)).toBe(
      `[options]\nadmin_passwd = x\nemail_from = notifications@t1.${BASE_DOMAIN}\n`,
    );
    expect(filestore.configs.get(namesOf(2).db)).toBe('[options]\nadmin_passwd = x\n');
  });

  it('looks at a tenant once per process, retries one that failed, and skips those not running', async () => {
    const servers = new FakeServers();
    servers.failing.add(namesOf(2).db);
    const relay = service(servers);
    const suspended = draftInstance({ id: 3, state: 'suspended', provisionedAt: '2026-01-01' });
    const provisioning = draftInstance({ id: 4, state: 'running' });
    expect(await relay.backfill([running(1), running(2), suspended, provisioning])).toEqual([1]);
    servers.failing.clear();
    // the customer removed our relay meanwhile: it is not put back
    servers.servers.set(namesOf(1).db, []);
    expect(await relay.backfill([running(1), running(2)])).toEqual([2]);
    expect(servers.calls).toEqual([namesOf(1).db, namesOf(2).db, namesOf(2).db]);
  });
});
