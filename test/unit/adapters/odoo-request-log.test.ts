import { describe, expect, it } from 'vitest';
import { lastVisitorRequest } from '../../../src/adapters/odoo-request-log.adapter.js';

const line = (ts: string, path: string, extra = '') =>
  `${ts} 2026-12-02 05:40:01,123 7 INFO tenant_tabc werkzeug: 172.20.0.1 - - [02/Dec/2026 05:40:01] "GET ${path} HTTP/1.1" 200 - 3 0.002 0.010${extra}`;

describe("a tenant's last visitor request, from Odoo's request log", () => {
  it('is the newest werkzeug request line, by the engine timestamp', () => {
    const log = [
      line('2026-12-02T05:40:01.100000000Z', '/web/login'),
      '2026-12-02T05:41:00.000000000Z 2026-12-02 05:41:00,000 7 INFO tenant_tabc odoo.addons.base.models.ir_cron: Job done',
      line('2026-12-02T05:42:30.500000000Z', '/web/dataset/call_kw/res.partner/search_read'),
      '',
    ].join('\n');
    expect(lastVisitorRequest(log)).toEqual(new Date('2026-12-02T05:42:30.500Z'));
  });

  it("leaves out an open tab's websocket, crons and other log lines", () => {
    const log = [
      line('2026-12-02T05:40:01.000000000Z', '/web'),
      line('2026-12-02T05:50:00.000000000Z', '/websocket'),
      line('2026-12-02T05:51:00.000000000Z', '/websocket?version=17.0-1'),
      '2026-12-02T05:52:00.000000000Z 2026-12-02 05:52:00,000 7 INFO ? odoo.service.server: HTTP service (werkzeug) running on 0.0.0.0:8069',
    ].join('\n');
    expect(lastVisitorRequest(log)).toEqual(new Date('2026-12-02T05:40:01.000Z'));
  });

  it('is undefined without any request', () => {
    expect(lastVisitorRequest('')).toBeUndefined();
    expect(lastVisitorRequest('garbage "GET / HTTP/1.1" 200')).toBeUndefined();
  });
});
