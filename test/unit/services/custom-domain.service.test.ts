import { describe, expect, it } from 'vitest';
import { CustomDomainService, problemOf } from '../../../src/services/custom-domain.service.js';
import { FakeDomainProbe, FakeDomainRecords } from '../../support/fakes/fake-domain-probe.js';
import { namesOf, worldWithInstance } from '../../support/world.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const REQUEST = { domainId: 4, domain: 'erp.acme.com', token: TOKEN };

async function setup(state: 'running' | 'suspended' = 'running') {
  const world = await worldWithInstance({}, true);
  if (state === 'suspended') await world.lifecycle.suspend(1);
  const probe = new FakeDomainProbe(world.proxy);
  const records = new FakeDomainRecords();
  const service = new CustomDomainService({
    odoo: world.odoo,
    domains: records,
    proxy: world.proxy,
    docker: world.docker,
    tenant: world.tenant,
    probe,
    identity: world.identity,
    publicUrl: { scheme: 'https', port: undefined },
    checkPort: 80,
    renewUrl: (id) => `https://master.example.com/my/instances/${id}/renew`,
  });
  return { world, probe, records, service };
}

describe('CustomDomainService', () => {
  it('verifies a domain that points here: routed to the tenant, base URL and address moved', async () => {
    const { world, probe, records, service } = await setup();
    probe.dns.set('erp.acme.com', 'here');
    expect(await service.verify(1, REQUEST)).toBe('verified');
    expect(probe.probes).toEqual([
      { domain: 'erp.acme.com', port: 80, path: `/.well-known/saas-domain/${TOKEN}` },
    ]);
    expect(world.proxy.challenges.has('erp.acme.com')).toBe(false); // served only while checked
    const subdomainRoute = world.proxy.routes.get('acme.saas.example.com');
    expect(world.proxy.routes.get('erp.acme.com')).toEqual(subdomainRoute);
    expect(world.tenant.baseUrls.get(namesOf(1).db)).toBe('https://erp.acme.com');
    expect(world.odoo.instances.get(1)?.url).toBe('https://erp.acme.com');
    expect(records.reports).toEqual([{ domainId: 4, outcome: { verified: true } }]);
  });

  it('says there is no record yet, or that it points elsewhere, and routes nothing', async () => {
    const { world, probe, records, service } = await setup();
    expect(await service.verify(1, REQUEST)).toBe('not verified: no_record');
    probe.dns.set('erp.acme.com', '203.0.113.7');
    expect(await service.verify(1, REQUEST)).toBe('not verified: elsewhere');
    expect(records.reports).toEqual([
      { domainId: 4, outcome: { verified: false, problem: 'no_record', detail: '' } },
      { domainId: 4, outcome: { verified: false, problem: 'elsewhere', detail: '203.0.113.7' } },
    ]);
    expect(world.proxy.routes.has('erp.acme.com')).toBe(false);
    expect(world.proxy.challenges.size).toBe(0);
    expect(world.tenant.baseUrls.size).toBe(0);
  });

  it('routes the domain of a suspended instance to the suspended page', async () => {
    const { world, probe, service } = await setup('suspended');
    probe.dns.set('erp.acme.com', 'here');
    expect(await service.verify(1, REQUEST)).toBe('verified');
    expect(world.proxy.routes.get('erp.acme.com')).toMatchObject({
      kind: 'suspended',
      renewUrl: 'https://master.example.com/my/instances/1/renew',
    });
  });

  it('does not check the domain of an instance that is not running', async () => {
    const { world, probe, records, service } = await setup();
    world.odoo.instances.get(1)!.state = 'terminated';
    expect(await service.verify(1, REQUEST)).toBe('not checked: instance is terminated');
    expect(probe.probes).toEqual([]);
    expect(records.reports[0]?.outcome).toMatchObject({ verified: false, problem: 'not_running' });
  });

  it('removes the route and moves the base URL back to the subdomain', async () => {
    const { world, probe, service } = await setup();
    probe.dns.set('erp.acme.com', 'here');
    await service.verify(1, REQUEST);
    expect(await service.remove(1, 'erp.acme.com', true)).toBe('removed');
    expect(world.proxy.routes.has('erp.acme.com')).toBe(false);
    expect(world.proxy.routes.has('acme.saas.example.com')).toBe(true);
    expect(world.tenant.baseUrls.get(namesOf(1).db)).toBe('https://acme.saas.example.com');
    expect(world.odoo.instances.get(1)?.url).toBe('https://acme.saas.example.com');
  });

  it('suspends, reactivates and terminates the custom domain with the subdomain', async () => {
    const { world, probe, service } = await setup();
    probe.dns.set('erp.acme.com', 'here');
    await service.verify(1, REQUEST);
    world.odoo.instances.get(1)!.customDomains = ['erp.acme.com']; // what the master now says
    await world.lifecycle.suspend(1);
    expect(world.proxy.routes.get('erp.acme.com')?.kind).toBe('suspended');
    expect(world.proxy.routes.get('acme.saas.example.com')?.kind).toBe('suspended');
    await world.lifecycle.reactivate(1);
    expect(world.proxy.routes.get('erp.acme.com')?.kind).toBe('upstream');
    await world.lifecycle.terminate(1);
    expect(world.proxy.routes.has('erp.acme.com')).toBe(false);
    expect(world.proxy.routes.has('acme.saas.example.com')).toBe(false);
  });

  it('follows the tenant to a new address on its custom domain too (reconcile)', async () => {
    const { world, probe, service } = await setup();
    probe.dns.set('erp.acme.com', 'here');
    await service.verify(1, REQUEST);
    world.odoo.instances.get(1)!.customDomains = ['erp.acme.com'];
    // the container stopped by itself: the reconciler starts it, at another address
    await world.docker.stopContainer(namesOf(1).container);
    await world.reconcile.reconcile();
    const moved = world.proxy.routes.get('acme.saas.example.com');
    expect(moved).toMatchObject({ kind: 'upstream' });
    expect(world.proxy.routes.get('erp.acme.com')).toEqual(moved);
  });

  it('accepts only the token, answered 200, as proof', () => {
    const answered = (status: number, body: string) =>
      problemOf({ kind: 'answered', addresses: ['192.0.2.9'], status, body }, TOKEN);
    expect(answered(200, `${TOKEN}\n`)).toBeUndefined();
    expect(answered(200, 'other')).toEqual({ problem: 'elsewhere', detail: '192.0.2.9' });
    expect(answered(404, TOKEN)).toEqual({ problem: 'elsewhere', detail: '192.0.2.9' });
  });
});
