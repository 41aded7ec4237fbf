import { expect } from 'vitest';
import { namesOf, OWNER, type World } from './world.js';

/**
 * The one running tenant a provisioned instance must converge on: its container, database, role,
 * data dir and route, the URLs in Odoo, the customer's credentials working, one welcome mail.
 */
export function expectRunningTenant(world: World, id = 1, subdomain = 'acme'): void {
  const instance = world.odoo.instance(id);
  const { db, container: name } = namesOf(id);
  const tenants = [...world.docker.containers.values()].filter(
    (c) => c.labels['saas.instance'] === String(id),
  );
  expect(tenants.map((c) => c.name)).toEqual([name]);
  const container = world.docker.containers.get(name);
  expect(container?.status).toBe('running');
  expect(instance).toMatchObject({
    state: 'running',
    url: `https://${subdomain}.saas.example.com`,
    directUrl: `http://${container?.ip}:8069`,
    dbName: db,
    containerRef: name,
    adminLogin: 'ana@example.com',
    lastError: undefined,
  });
  expect(instance.provisionedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  expect(world.db.get(db)).toMatchObject({
    owner: db,
    marker: `saas:instance:${id} owner:${OWNER}`,
  });
  expect(world.db.roles.has(db)).toBe(true);
  expect(world.db.roleComments.get(db)).toBe(`saas:instance:${id} owner:${OWNER}`);
  expect(container?.labels).toMatchObject({ 'saas.owner': OWNER, 'saas.instance': String(id) });
  expect(world.filestore.dirs.has(db)).toBe(true);
  expect(world.proxy.routes.get(`${subdomain}.saas.example.com`)).toEqual({
    kind: 'upstream',
    upstream: `${container?.ip}:8069`,
    labels: { saas_owner: OWNER, saas_instance: String(id), saas_tenant: instance.tenantRef },
  });
  // the password Odoo shows the customer is the one the tenant accepts
  expect(world.db.get(db).data).toMatchObject({
    adminLogin: 'ana@example.com',
    adminPassword: instance.initialPassword,
  });
  expect(world.welcomes.filter((w) => w === id)).toEqual([id]);
  expect(world.locks.held.has(`instance:${id}`)).toBe(false);
}
