/**
 * The master's side of a subscription's life, over JSON-RPC as its admin: buying a plan (order,
 * invoice, payment, as the shop's automatic invoicing does), paying an invoice, and the lifecycle
 * sweep run as of a chosen day.
 */
import type { MasterRpc } from '../e2e/support/master-rpc.js';

export interface LifeInstance {
  id: number;
  state: string;
  subdomain: string;
  tenant_ref: string;
  db_name: string | false;
  expiration_date: string | false;
  suspension_decided_on: string | false;
  purged_at: string | false;
  partner_id: [number, string];
}

const FIELDS = [
  'state',
  'subdomain',
  'tenant_ref',
  'db_name',
  'expiration_date',
  'suspension_decided_on',
  'purged_at',
  'partner_id',
];

export interface SweepResult {
  as_of: string;
  run_id: number;
  instances: { instance_id: number; subdomain: string; actions: { action: string }[] }[];
}

export interface Invoice {
  id: number;
  name: string;
  state: string;
  payment_state: string;
  amount_residual: number;
}

/** an ISO date `days` after `iso` (UTC, no time of day) */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export class MasterLife {
  constructor(readonly rpc: MasterRpc) {}

  /** Spanish made available for partners (no translations loaded: the bridge's mails bring their own) */
  async enableSpanish(): Promise<void> {
    const langs = await this.rpc.execute<number[]>(
      'res.lang',
      'search',
      [[['code', '=', 'es_ES'], '|', ['active', '=', true], ['active', '=', false]]],
      {},
    );
    if (!langs.length) throw new Error('the master has no es_ES language record');
    await this.rpc.execute('res.lang', 'write', [langs, { active: true }]);
  }

  async createCustomer(name: string, email: string, lang: string): Promise<number> {
    return this.rpc.execute<number>('res.partner', 'create', [
      { name, email, lang, company_name: `${name} S.L.` },
    ]);
  }

  /**
   * What a paid shop order amounts to: the order confirmed (order.confirmed provisions), its invoice
   * posted and paid (invoice.paid; the instance's first payment, so later ones renew it).
   */
  async buy(partnerId: number, planCode: string, subdomain: string): Promise<number> {
    const [product] = await this.rpc.searchRead<{ id: number }>(
      'product.product',
      [['saas_plan_code', '=', planCode]],
      ['id'],
    );
    if (!product) throw new Error(`no product for plan ${planCode} in the master`);
    const orderId = await this.rpc.execute<number>('sale.order', 'create', [
      {
        partner_id: partnerId,
        saas_subdomain: subdomain,
        order_line: [[0, 0, { product_id: product.id, product_uom_qty: 1 }]],
      },
    ]);
    await this.rpc.execute('sale.order', 'action_confirm', [[orderId]]);
    const context = { active_model: 'sale.order', active_ids: [orderId], active_id: orderId };
    const wizard = await this.rpc.execute<number>(
      'sale.advance.payment.inv',
      'create',
      [{ advance_payment_method: 'delivered' }],
      { context },
    );
    await this.rpc.execute('sale.advance.payment.inv', 'create_invoices', [[wizard]], {
      context,
    });
    const [order] = await this.rpc.searchRead<{ invoice_ids: number[] }>(
      'sale.order',
      [['id', '=', orderId]],
      ['invoice_ids'],
    );
    const invoiceId = order?.invoice_ids[0];
    if (!invoiceId) throw new Error(`order ${orderId} got no invoice`);
    await this.rpc.execute('account.move', 'action_post', [[invoiceId]]);
    await this.pay(invoiceId);
    const instance = await this.instanceOfOrder(orderId);
    if (!instance) throw new Error(`order ${orderId} has no instance`);
    return instance.id;
  }

  /** registers a full payment of the invoice (what a portal payment ends in) */
  async pay(invoiceId: number): Promise<void> {
    const context = { active_model: 'account.move', active_ids: [invoiceId] };
    const wizard = await this.rpc.execute<number>('account.payment.register', 'create', [{}], {
      context,
    });
    await this.rpc.execute('account.payment.register', 'action_create_payments', [[wizard]], {
      context,
    });
    const invoice = await this.invoice(invoiceId);
    if (!['paid', 'in_payment'].includes(invoice.payment_state))
      throw new Error(`invoice ${invoice.name} is ${invoice.payment_state} after the payment`);
  }

  async invoice(id: number): Promise<Invoice> {
    const [row] = await this.rpc.searchRead<Invoice>(
      'account.move',
      [['id', '=', id]],
      ['name', 'state', 'payment_state', 'amount_residual'],
    );
    if (!row) throw new Error(`no invoice ${id}`);
    return row;
  }

  /** the renewal invoice of the instance's period ending on `periodEnd` */
  async renewalInvoice(instanceId: number, periodEnd: string): Promise<Invoice | undefined> {
    const [row] = await this.rpc.searchRead<Invoice>(
      'account.move',
      [
        ['saas_renewal_instance_id', '=', instanceId],
        ['saas_renewal_period_end', '=', periodEnd],
      ],
      ['name', 'state', 'payment_state', 'amount_residual'],
    );
    return row;
  }

  async instance(id: number): Promise<LifeInstance> {
    const [row] = await this.rpc.searchRead<LifeInstance>(
      'saas.instance',
      [['id', '=', id]],
      FIELDS,
    );
    if (!row) throw new Error(`no saas.instance ${id}`);
    return row;
  }

  async instanceOfOrder(orderId: number): Promise<LifeInstance | undefined> {
    const [row] = await this.rpc.searchRead<LifeInstance>(
      'saas.instance',
      [['sale_order_ids', 'in', [orderId]]],
      FIELDS,
    );
    return row;
  }

  /** the sweep as of `asOf`: what it did to `instanceId` (action names) */
  async sweep(asOf: string, instanceId: number): Promise<string[]> {
    const result = await this.rpc.execute<SweepResult>('saas.instance', 'run_lifecycle_sweep', [
      asOf,
    ]);
    if (result.as_of !== asOf) throw new Error(`the sweep ran as of ${result.as_of}, not ${asOf}`);
    const row = result.instances.find((i) => i.instance_id === instanceId);
    return row ? row.actions.map((a) => a.action) : [];
  }

  /** the finished final backups the master records for the instance */
  async finalBackups(instanceId: number): Promise<{ snapshot_id: string; state: string }[]> {
    return this.rpc.searchRead(
      'saas.backup',
      [
        ['instance_id', '=', instanceId],
        ['kind', '=', 'final'],
      ],
      ['snapshot_id', 'state'],
    );
  }
}
