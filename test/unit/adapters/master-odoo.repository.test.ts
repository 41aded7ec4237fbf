import { describe, expect, it } from 'vitest';
import { MasterOdooRepository } from '../../../src/adapters/master-odoo.repository.js';
import type { OdooClient } from '../../../src/adapters/odoo.client.js';

const row = {
  id: 7,
  tenant_ref: 'tabcdefghij',
  subdomain: 'acme',
  state: 'running',
  plan_id: [3, 'Basic'],
  partner_id: [9, 'Acme Corp'],
  partner_email: 'acme@example.com',
  company_name: 'Acme Corp',
  lang: 'en_US',
  country_code: 'ES',
  currency_code: 'EUR',
  tz: false,
  expiration_date: '2026-12-31',
  url: 'http://acme.localhost:8080',
  db_name: 'tenant_acme',
  container_ref: 'saas-acme',
  node_name: 'saas-swarm-node-1',
  admin_login: 'acme@example.com',
  initial_password: 'Temp-Pass-42',
  provisioned_at: '2026-12-01 10:00:00',
  purged_at: false,
  copy_of_backup_id: false,
  custom_domain_names: 'erp.acme.com,crm.acme.com',
  tenant_version: '17.0.1.3.0',
};

/** Answers search_read with `row` restricted to the fields asked for, and records them. */
function recordingClient(): { client: OdooClient; asked: string[][] } {
  const asked: string[][] = [];
  const client = {
    executeKw: (
      _model: string,
      _method: string,
      _args: unknown[],
      kwargs: { fields: string[] },
    ) => {
      asked.push(kwargs.fields);
      return Promise.resolve([
        Object.fromEntries(kwargs.fields.map((f) => [f, row[f as keyof typeof row]])),
      ]);
    },
  };
  return { client: client as unknown as OdooClient, asked };
}

describe('MasterOdooRepository', () => {
  it('never reads the temporary password in the instance list (the reconciler)', async () => {
    const { client, asked } = recordingClient();
    const [listed] = await new MasterOdooRepository(client).listInstances();
    expect(asked[0]).not.toContain('initial_password');
    expect(listed?.initialPassword).toBeUndefined();
    expect(listed?.subdomain).toBe('acme');
  });

  it('reads it for one instance (provisioning hands it to the tenant)', async () => {
    const { client, asked } = recordingClient();
    const one = await new MasterOdooRepository(client).getInstance(7);
    expect(asked[0]).toContain('initial_password');
    expect(one?.initialPassword).toBe('Temp-Pass-42');
    expect(one?.node).toBe('saas-swarm-node-1');
    // the hosts its routes are for, besides the subdomain
    expect(one?.customDomains).toEqual(['erp.acme.com', 'crm.acme.com']);
  });
});

describe('MasterOdooRepository.invoicePayUrl', () => {
  function answering(answer: unknown) {
    const calls: unknown[][] = [];
    const client = {
      executeKw: (model: string, method: string, args: unknown[]) => {
        calls.push([model, method, args]);
        return Promise.resolve(answer);
      },
    } as unknown as OdooClient;
    return { repo: new MasterOdooRepository(client), calls };
  }

  it("asks the instance for its invoice's link when the mail goes", async () => {
    const url = 'http://localhost:8069/my/invoices/31?access_token=abc';
    const { repo, calls } = answering(url);
    expect(await repo.invoicePayUrl(7, 31)).toBe(url);
    expect(calls).toEqual([['saas.instance', 'bridge_pay_url', [[7], 31]]]);
  });

  it('answers undefined for a paid or foreign invoice, and refuses a link that is not http', async () => {
    expect(await answering(false).repo.invoicePayUrl(7, 31)).toBeUndefined();
    await expect(answering('javascript:alert(1)').repo.invoicePayUrl(7, 31)).rejects.toMatchObject({
      code: 'odoo_bad_answer',
    });
  });
});
