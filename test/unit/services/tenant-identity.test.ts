import { describe, expect, it } from 'vitest';
import {
  passlibHash,
  passlibVerify,
  TenantIdentity,
} from '../../../src/services/tenant-identity.js';

const identity = new TenantIdentity({
  owner: 'master-uuid-1',
  baseDomain: 'saas.example.com',
  bridgeSecret: 'a-secret-of-at-least-thirty-two-characters',
});

const SEVEN = { id: 7, tenantRef: 'tseven23456' };

describe('TenantIdentity', () => {
  it('names everything but the host from the ref; refs migrated from subdomains keep their names', () => {
    expect(identity.namesOf({ tenantRef: 'tq7h2k4m5ab', subdomain: 'acme' })).toEqual({
      ref: 'tq7h2k4m5ab',
      db: 'tenant_tq7h2k4m5ab',
      container: 'saas-tenant-tq7h2k4m5ab',
      host: 'acme.saas.example.com',
    });
    // saas_master's migration gives an instance made before refs its subdomain as ref
    expect(identity.namesOf({ tenantRef: 'my-shop', subdomain: 'my-shop' })).toMatchObject({
      db: 'tenant_my_shop',
      container: 'saas-tenant-my-shop',
    });
  });

  it.each([
    [undefined, 'none'],
    ['saas:instance:7 owner:master-uuid-1', 'ours'],
    ['saas:instance:7', 'ours-unowned'],
    ['saas:instance:8 owner:master-uuid-1', 'taken'],
    ['saas:instance:7 owner:another-master', 'taken'],
    ['saas:instance:70', 'taken'],
    ['something else', 'taken'],
  ])('judges the marker %s as %s for instance 7', (marker, verdict) => {
    expect(identity.judgeMarker(marker, 7)).toBe(verdict);
  });

  it('owns a container only with its instance label and our owner (or none, from before owners)', () => {
    const labelled = (labels: Record<string, string>) => ({
      id: 'c1',
      name: 'saas-tenant-x',
      status: 'running' as const,
      ip: undefined,
      labels,
    });
    expect(
      identity.ownsContainer(
        labelled({ 'saas.instance': '7', 'saas.owner': 'master-uuid-1' }),
        SEVEN,
      ),
    ).toBe(true);
    expect(identity.ownsContainer(labelled({ 'saas.instance': '7' }), SEVEN)).toBe(true);
    expect(
      identity.ownsContainer(labelled({ 'saas.instance': '7', 'saas.owner': 'other' }), SEVEN),
    ).toBe(false);
    expect(
      identity.ownsContainer(
        labelled({ 'saas.instance': '8', 'saas.owner': 'master-uuid-1' }),
        SEVEN,
      ),
    ).toBe(false);
  });

  it('owns a warm spare it took by the tenant label, since labels never change on a container', () => {
    const spare = (labels: Record<string, string>) => ({
      id: 'c2',
      name: 'saas-tenant-tspare23456',
      status: 'running' as const,
      ip: undefined,
      labels: { 'saas.spare': '1', 'saas.tenant': 'tspare23456', ...labels },
    });
    const taker = { id: 7, tenantRef: 'tspare23456' };
    expect(identity.ownsContainer(spare({ 'saas.owner': 'master-uuid-1' }), taker)).toBe(true);
    expect(identity.ownsContainer(spare({ 'saas.owner': 'master-uuid-1' }), SEVEN)).toBe(false);
    // another master's spare under the same ref is not ours
    expect(identity.ownsContainer(spare({ 'saas.owner': 'other' }), taker)).toBe(false);
  });

  it('recomputes the same bridge key per tenant, different for every tenant and secret', () => {
    const key = identity.bridgeKey('tq7h2k4m5ab');
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect(identity.bridgeKey('tq7h2k4m5ab')).toBe(key);
    expect(identity.bridgeKey('tq7h2k4m5ac')).not.toBe(key);
    const other = new TenantIdentity({
      owner: 'x',
      baseDomain: 'x',
      bridgeSecret: 'another-secret-of-at-least-thirty-two-chars',
    });
    expect(other.bridgeKey('tq7h2k4m5ab')).not.toBe(key);
  });
});

describe('passlib pbkdf2_sha512 hashes', () => {
  it("verifies a hash made by Python's passlib (the format Odoo stores)", async () => {
    // pbkdf2_sha512.using(rounds=6000, salt=b'0123456789abcdef').hash(<key>) in passlib 1.7.4
    const python =
      '$pbkdf2-sha512$6000$MDEyMzQ1Njc4OWFiY2RlZg$mQIVQSO1DxEJj9X6pRXwT6.PTyPl2MHOyp7/sIJsAch0DJOifBdR0casTON/GFtrR9TuFDhBg5lsVbfsQzqcyw';
    expect(await passlibVerify('0123456789abcdef0123456789abcdef01234567', python)).toBe(true);
    expect(await passlibVerify('0123456789abcdef0123456789abcdef01234568', python)).toBe(false);
  });

  it('makes salted hashes it verifies again', async () => {
    const [a, b] = [await passlibHash('key-1'), await passlibHash('key-1')];
    expect(a).toMatch(/^\$pbkdf2-sha512\$6000\$[./A-Za-z0-9]{22}\$[./A-Za-z0-9]{86}$/);
    expect(a).not.toBe(b);
    expect(await passlibVerify('key-1', a)).toBe(true);
    expect(await passlibVerify('key-2', a)).toBe(false);
    expect(await passlibVerify('key-1', 'not a hash')).toBe(false);
  });
});
