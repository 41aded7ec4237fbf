/**
 * Plain HTTP from the test process. Browsers resolve `*.localhost` to loopback by themselves; glibc does
 * not, so requests to tenant hosts are sent to 127.0.0.1 with the real Host header (as Chromium does).
 */
import dns from 'node:dns';
import http from 'node:http';
import type { LookupFunction } from 'node:net';

const lookup: LookupFunction = (hostname, options, callback) => {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dns.lookup(hostname, options, callback);
};

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  url: string,
  init: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        lookup,
        timeout: init.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`timeout after ${init.timeoutMs ?? 10_000} ms: ${url}`)),
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Polls `url` until it answers `status`; resolves with the time it first did. */
export async function pollUntil(
  url: string,
  status: number,
  timeoutMs: number,
  intervalMs = 250,
): Promise<{ at: number; answer: HttpAnswer }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const answer = await request(url, { timeoutMs: 5_000 });
      if (answer.status === status) return { at: Date.now(), answer };
      last = `HTTP ${answer.status}${answer.body ? `: ${answer.body.slice(0, 120).replace(/\s+/g, ' ')}` : ''}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs / 1000} s (last: ${last})`);
}

/** JSON-RPC `call` on an Odoo's /jsonrpc endpoint */
export async function jsonRpc<T>(
  baseUrl: string,
  service: string,
  method: string,
  args: unknown[],
): Promise<T> {
  const answer = await request(`${baseUrl}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      params: { service, method, args },
      id: 1,
    }),
    timeoutMs: 30_000,
  });
  if (answer.status !== 200)
    throw new Error(`${baseUrl}/jsonrpc ${service}.${method}: HTTP ${answer.status}`);
  const body = JSON.parse(answer.body) as { result?: T; error?: { data?: { message?: string } } };
  if (body.error)
    throw new Error(
      `${service}.${method}: ${body.error.data?.message ?? JSON.stringify(body.error)}`,
    );
  return body.result as T;
}
