import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './availability.js';
import { freePort } from './net.js';

export const CADDY_BIN = process.env.CADDY_BIN ?? '/usr/bin/caddy';

export interface CaddyInstance {
  adminUrl: string;
  httpUrl: string;
  /** the same routes over TLS (with `https.askUrl`): certificates of Caddy's local CA */
  httpsPort: number | undefined;
  server: string;
  stop(): Promise<void>;
}

export interface CaddyOptions {
  /** HTTPS like the stack's (scripts/lib/settings.sh): on-demand certificates of the local CA,
   * each asked of this URL first */
  https?: { askUrl: string };
}

/**
 * Our own Caddy on free loopback ports, shaped like the stack's: one HTTP server named "saas" with
 * automatic HTTPS off and a catch-all 404 route at the end, admin API on 127.0.0.1.
 */
export async function startCaddy(
  server = 'saas',
  options: CaddyOptions = {},
): Promise<CaddyInstance> {
  const dir = await mkdtemp(path.join(tmpdir(), 'saas-it-caddy-'));
  const [adminPort, httpPort] = [await freePort(), await freePort()];
  const httpsPort = options.https ? await freePort() : undefined;
  const config = {
    admin: { listen: `127.0.0.1:${adminPort}`, config: { persist: false } },
    storage: { module: 'file_system', root: path.join(dir, 'data') },
    logging: { logs: { default: { level: 'ERROR' } } },
    apps: {
      http: {
        // the plain listener is http_port; Caddy speaks TLS on every other one
        ...(httpsPort ? { http_port: httpPort, https_port: httpsPort } : {}),
        servers: {
          [server]: {
            listen: [`127.0.0.1:${httpPort}`, ...(httpsPort ? [`127.0.0.1:${httpsPort}`] : [])],
            automatic_https: { disable: true },
            ...(httpsPort ? { tls_connection_policies: [{}] } : {}),
            routes: [
              { handle: [{ handler: 'static_response', status_code: 404, body: 'no such site' }] },
            ],
          },
        },
      },
      ...(options.https
        ? {
            tls: {
              automation: {
                policies: [{ issuers: [{ module: 'internal' }], on_demand: true }],
                on_demand: { ask: options.https.askUrl },
              },
            },
            pki: { certificate_authorities: { local: { install_trust: false } } },
          }
        : {}),
    },
  };
  const file = path.join(dir, 'caddy.json');
  await writeFile(file, JSON.stringify(config));
  const child: ChildProcess = spawn(CADDY_BIN, ['run', '--config', file], {
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    await waitFor('Caddy admin API', 10_000, async () => {
      if (child.exitCode !== null) throw new Error(`caddy exited ${child.exitCode}: ${stderr}`);
      return (await fetch(`${adminUrl}/config/`)).ok || undefined;
    });
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    adminUrl,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsPort,
    server,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** the root certificate of a Caddy's local CA (PEM), from its admin API */
export async function caddyRootCertificate(adminUrl: string): Promise<string> {
  const res = await fetch(`${adminUrl}/pki/ca/local`, { headers: { connection: 'close' } });
  if (!res.ok) throw new Error(`Caddy /pki/ca/local answered ${res.status}`);
  const { root_certificate: root } = (await res.json()) as { root_certificate?: string };
  if (!root?.includes('BEGIN CERTIFICATE')) throw new Error('Caddy has no local CA root');
  return root;
}
