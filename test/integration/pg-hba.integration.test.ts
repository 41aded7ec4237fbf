/**
 * pg_hba as scripts/setup writes it (pg_hba_tenant_rules, pg_roles_sql), proven from a container on a
 * tenant network (issue 13, item 6). A throwaway PostgreSQL cluster of its own, listening on its own
 * network's gateway, so the machine's cluster and everyone using it are left alone.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../src/adapters/docker.adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres.adapter.js';
import { unavailable } from '../support/integration/availability.js';
import { docker, run } from '../support/integration/run.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const IMAGE = process.env.TENANT_IMAGE ?? 'saas-odoo-runtime:17';
const id = randomBytes(3).toString('hex');
const NETWORK = `it-saas-hba-${id}`;
const SUBNET = '172.31.251.0/24';
const GATEWAY = '172.31.251.1';
const PORT = 55_432;
const ADMIN_PW = randomBytes(12).toString('hex');
const pgBin = (() => {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? `/usr/lib/postgresql/${newest}/bin` : '';
})();

const dockerAdapter = new DockerAdapter(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock');
const skip = await unavailable('PostgreSQL binaries, Docker and the tenant image', async () => {
  if (process.getuid?.() !== 0) throw new Error('needs root (a cluster of its own as postgres)');
  if (!pgBin) throw new Error('no /usr/lib/postgresql/<version>/bin');
  await dockerAdapter.ping();
  if (!(await dockerAdapter.imageId(IMAGE))) throw new Error(`image ${IMAGE} is missing`);
});

let dir = '';
let admin: PostgresAdapter;
const asPostgres = (cmd: string, input?: string) =>
  run('runuser', ['-u', 'postgres', '--', 'sh', '-c', cmd], input);

/** connects from a container on the tenant network, as Odoo would: the outcome, or the refusal */
async function connectFromTenant(user: string, password: string, db: string, sql = 'SELECT 1') {
  const script = `
import psycopg2, sys
try:
    c = psycopg2.connect(host="${GATEWAY}", port=${PORT}, user=sys.argv[1], password=sys.argv[2], dbname=sys.argv[3], connect_timeout=5)
    cur = c.cursor(); cur.execute(sys.argv[4]); print("OK", cur.fetchone()[0])
except Exception as e:
    print("ERR", str(e).strip().splitlines()[0])
`;
  return docker(
    'run',
    '--rm',
    '--network',
    NETWORK,
    '--entrypoint',
    'python3',
    IMAGE,
    '-c',
    script,
    user,
    password,
    db,
    sql,
  );
}

describe.skipIf(skip)('pg_hba of tenants (a cluster of its own)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'saas-hba-'));
    await chmod(dir, 0o777);
    const data = path.join(dir, 'data');
    await asPostgres(`${pgBin}/initdb -D ${data} -A trust -U postgres >/dev/null`);
    const rules = await run('bash', [
      '-c',
      `source ${REPO}/scripts/lib/postgres.sh; pg_hba_tenant_rules ${SUBNET} saas_template saas_admin`,
    ]);
    await writeFile(
      path.join(data, 'pg_hba.conf'),
      `local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n${rules}\n`,
    );
    await dockerAdapter.ensureNetwork(NETWORK, SUBNET);
    await asPostgres(
      `${pgBin}/pg_ctl -D ${data} -l ${dir}/log -w -o "-p ${PORT} -k ${dir} -c listen_addresses='127.0.0.1,${GATEWAY}'" start >/dev/null`,
    );
    const roles = await run('bash', [
      '-c',
      `source ${REPO}/scripts/lib/postgres.sh; pg_roles_sql saas_admin ${ADMIN_PW} saas_template t-pw odoo_master m-pw`,
    ]);
    await asPostgres(
      `psql -X -q -v ON_ERROR_STOP=1 -h ${dir} -p ${PORT} -U postgres -d postgres`,
      roles,
    );
    admin = new PostgresAdapter(`postgres://saas_admin:${ADMIN_PW}@127.0.0.1:${PORT}/postgres`);
    for (const t of ['tenant_hba_a', 'tenant_hba_b']) {
      await admin.ensureRole(t, `${t}-pw`, 'it', 8);
      await admin.createEmptyDatabase(t, t);
    }
  }, 120_000);

  afterAll(async () => {
    await admin?.close();
    if (dir)
      await asPostgres(`${pgBin}/pg_ctl -D ${dir}/data -m immediate stop >/dev/null`).catch(
        () => undefined,
      );
    await docker('network', 'rm', NETWORK).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lets a tenant role into its own database and into postgres (Odoo LISTENs there)', async () => {
    expect(await connectFromTenant('tenant_hba_a', 'tenant_hba_a-pw', 'tenant_hba_a')).toBe('OK 1');
    expect(await connectFromTenant('tenant_hba_a', 'tenant_hba_a-pw', 'postgres')).toBe('OK 1');
  }, 60_000);

  it("refuses a tenant role another tenant's database", async () => {
    expect(await connectFromTenant('tenant_hba_a', 'tenant_hba_a-pw', 'tenant_hba_b')).toMatch(
      /^ERR .*pg_hba\.conf rejects connection/,
    );
  }, 60_000);

  it('refuses the admin roles from the tenant network, even with the right password', async () => {
    for (const [user, pw] of [
      ['saas_admin', ADMIN_PW],
      ['saas_template', 't-pw'],
      ['odoo_master', 'm-pw'],
    ] as const) {
      expect(await connectFromTenant(user, pw, 'postgres')).toMatch(
        /^ERR .*pg_hba\.conf rejects connection/,
      );
    }
  }, 60_000);

  it('hides other roles and sessions from a tenant, in its database and in postgres', async () => {
    for (const db of ['tenant_hba_a', 'postgres']) {
      for (const view of ['pg_stat_activity', 'pg_roles', 'pg_auth_members']) {
        expect(
          await connectFromTenant(
            'tenant_hba_a',
            'tenant_hba_a-pw',
            db,
            `SELECT count(*) FROM ${view}`,
          ),
        ).toMatch(/^ERR permission denied/);
      }
    }
    // Odoo's list_dbs (every request) joins pg_database and pg_user in 'postgres': both stay readable
    for (const db of ['tenant_hba_a', 'postgres'])
      expect(
        await connectFromTenant(
          'tenant_hba_a',
          'tenant_hba_a-pw',
          db,
          'SELECT count(*) FROM pg_database WHERE datdba = (SELECT usesysid FROM pg_user WHERE usename = current_user)',
        ),
      ).toMatch(/^OK \d+/);
  }, 120_000);

  it('makes tenant roles members of saas_tenants with their connection limit', async () => {
    const out = await asPostgres(
      `psql -X -At -h ${dir} -p ${PORT} -U postgres -d postgres -c "SELECT r.rolconnlimit, pg_has_role(r.oid, 'saas_tenants', 'MEMBER') FROM pg_roles r WHERE rolname = 'tenant_hba_a'"`,
    );
    expect(out).toBe('8|t');
  });
});
