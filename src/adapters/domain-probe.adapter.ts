import { lookup } from 'node:dns/promises';
import http from 'node:http';
import type { DomainProbePort, ProbeResult } from '../ports/domain-probe.port.js';

const TIMEOUT_MS = 5_000;
/** the token is 32 characters: anything longer is not our answer */
const MAX_BODY = 1024;
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/**
 * The addresses a domain resolves to. Names under .localhost are loopback by definition (RFC 6761)
 * though the host's resolver may not say so: the local stack's custom domains live there.
 */
async function addressesOf(domain: string): Promise<string[] | undefined> {
  if (domain === 'localhost' || domain.endsWith('.localhost')) return ['127.0.0.1'];
  try {
    return (await lookup(domain, { all: true })).map((a) => a.address);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (NO_RECORD.has(code)) return undefined;
    throw err;
  }
}

/** Plain HTTP to the first address the domain's DNS gives, asking for the domain as Host. */
export class DomainProbeAdapter implements DomainProbePort {
  async probe(domain: string, port: number, path: string): Promise<ProbeResult> {
    const addresses = await addressesOf(domain);
    if (!addresses || addresses.length === 0) return { kind: 'no-record' };
    const address = addresses[0] ?? '';
    return new Promise((resolve) => {
      const req = http.get(
        {
          host: address,
          port,
          path,
          headers: { host: port === 80 ? domain : `${domain}:${port}` },
          timeout: TIMEOUT_MS,
          agent: false,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
            if (body.length > MAX_BODY) res.destroy();
          });
          const done = () =>
            resolve({ kind: 'answered', addresses, status: res.statusCode ?? 0, body });
          res.on('end', done);
          res.on('close', done);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
      req.on('error', (err) => resolve({ kind: 'unreachable', addresses, reason: err.message }));
    });
  }
}
