import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback } from '../../../src/http/ops-access.js';
import { buildApp, testConfig } from './app-fixture.js';

// a non-loopback address of this machine: a request to it comes from it, not from 127.0.0.1
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serve(opsToken?: string): Promise<string> {
  const config = testConfig();
  config.opsToken = opsToken;
  const { app } = buildApp({ config });
  const server = app.listen(0, external ?? '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://${external}:${(server.address() as AddressInfo).port}`;
}

describe('/metrics and /readyz', () => {
  it('count only 127.0.0.0/8 and ::1 as loopback', () => {
    expect(['127.0.0.1', '127.5.0.1', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['10.0.0.1', '172.30.0.1', '::ffff:10.0.0.1', '', undefined].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it.skipIf(!external)(
    'refuse a client off loopback without a token, /healthz stays open',
    async () => {
      const base = await serve();
      for (const path of ['/metrics', '/readyz', '/metrics/']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(403);
        expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
          'only answered on loopback (set OPS_TOKEN to allow others)',
        );
      }
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    },
  );

  it.skipIf(!external)(
    'answer a client off loopback with the ops token, and only with it',
    async () => {
      const token = 'ops-token-0123456789abcdef';
      const base = await serve(token);
      const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
      expect((await fetch(`${base}/metrics`, bearer(token))).status).toBe(200);
      expect((await fetch(`${base}/readyz`, bearer(token))).status).toBe(200);
      expect((await fetch(`${base}/metrics`, bearer('wrong-token-0123456789'))).status).toBe(403);
      expect((await fetch(`${base}/metrics`)).status).toBe(403);
    },
  );
});
