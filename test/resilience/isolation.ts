/**
 * From inside a tenant container: no other tenant, no Redis, no Docker socket, no master, no bridge,
 * no Caddy admin; PostgreSQL answers (the control), and the tenant's role opens no other database.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { E2E, docker } from '../e2e/support/stack.js';

const run = promisify(execFile);

const PROBE = String.raw`
import json, os, socket, sys
import psycopg2
args = json.loads(sys.argv[1])
out = {}
for name, host, port in args["ports"]:
    s = socket.socket(); s.settimeout(2)
    try:
        s.connect((host, port)); out[name] = "open"
    except Exception as e:
        out[name] = "closed"
    finally:
        s.close()
for path in ("/var/run/docker.sock", "/run/docker.sock"):
    out["file " + path] = "open" if os.path.exists(path) else "closed"
for db in args["dbs"]:
    try:
        psycopg2.connect(host=os.environ["HOST"], port=int(os.environ.get("PORT", 5432)), user=os.environ["USER"], password=os.environ["PASSWORD"], dbname=db, connect_timeout=3).close()
        out["db " + db] = "open"
    except Exception:
        out["db " + db] = "closed"
print(json.dumps(out))
`;

export interface IsolationResult {
  held: number;
  failures: string[];
}

export async function isolationFrom(
  container: string,
  other: { container: string; db: string },
  masterDb: string,
): Promise<IsolationResult> {
  const gateway = (await docker('exec', container, 'printenv', 'HOST')).trim();
  const otherIp = await docker(
    'inspect',
    '-f',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
    other.container,
  );
  const ports: [string, string, number][] = [
    ['other tenant', otherIp, 8069],
    ['Redis', gateway, 6379],
    ['own Redis of this stack', gateway, E2E.redisPort],
    ['master Odoo', gateway, E2E.odooPort],
    ['dev master Odoo', gateway, 8069],
    ['bridge', gateway, E2E.bridgePort],
    ['dev bridge', gateway, 3000],
    ['Caddy admin', gateway, E2E.caddyAdminPort],
    ['dev Caddy admin', gateway, 2019],
    ['Docker API', gateway, 2375],
    ['PostgreSQL (must answer)', gateway, 5432],
  ];
  const { stdout } = await run('/usr/bin/docker', [
    'exec',
    container,
    'python3',
    '-c',
    PROBE,
    JSON.stringify({ ports, dbs: [other.db, masterDb] }),
  ]);
  const seen = JSON.parse(stdout) as Record<string, string>;
  const result: IsolationResult = { held: 0, failures: [] };
  for (const [name, state] of Object.entries(seen)) {
    const want = name.startsWith('PostgreSQL') ? 'open' : 'closed';
    if (state === want) result.held += 1;
    else result.failures.push(`from ${container}: ${name} is ${state}`);
  }
  return result;
}
