import { BridgeError } from '../../errors.js';
import { strongPassword } from '../secrets.js';
import { passlibHash } from '../tenant-identity.js';
import type { ContainerSpec } from '../../ports/docker.port.js';
import type { PlanRecord } from '../../ports/odoo.port.js';
import { ODOO_HTTP_PORT, odooContainerSpec, type TenantRuntime } from '../tenant-runtime.js';
import { sizingArgs, tenantSizing } from '../tenant-sizing.js';
import type { ProvisionContext, ProvisioningDeps, ReadyTenant } from './context.js';

/** where the tenant's own config (odoo.conf in its data dir) is inside the container */
export const TENANT_CONFIG_PATH = '/var/lib/odoo/odoo.conf';

/**
 * The tenant's container, running and answering /web/login. The one found at the start is used as it
 * is (started when stopped); a missing one is made with a fresh role password and master password.
 */
export async function ensureContainer(
  deps: ProvisioningDeps,
  ctx: ProvisionContext,
): Promise<ReadyTenant> {
  const { docker } = deps;
  const { names } = ctx;
  const present = ctx.container ?? (await createContainer(deps, ctx));
  const running =
    present.status === 'running' ? present : await docker.startContainer(names.container);
  ctx.container = running;
  const { ip } = running;
  if (!ip) throw new BridgeError('docker_failed', `container ${names.container} has no address`);
  const directUrl = `http://${ip}:${ODOO_HTTP_PORT}`;
  await deps.tenant.waitReady(directUrl, deps.readyTimeoutMs);
  return { container: { ...running, ip }, directUrl };
}

async function createContainer(deps: ProvisioningDeps, ctx: ProvisionContext) {
  const { db, docker, filestore, identity, runtime } = deps;
  const { instance, plan, names } = ctx;
  // the role's password is set whenever its container is made, so it never needs storing
  const password = strongPassword(32);
  await db.ensureRole(
    names.db,
    password,
    identity.marker(instance.id),
    tenantSizing(plan).connectionLimit,
  );
  // mails from an address the relay does not accept go out from this one (README, Mail)
  const odooConfig = await tenantOdooConfig({
    emailFrom: `${NOTIFICATIONS_LOCAL_PART}@${names.host}`,
  });
  await filestore.writeOdooConfig(names.db, odooConfig);
  const spec = tenantContainerSpec(runtime, {
    name: names.container,
    db: names.db,
    password,
    dataDir: filestore.dataDirOf(names.db),
    labels: identity.containerLabels(instance, plan),
    plan,
    odooConfig,
  });
  return docker.createContainer(spec);
}

/** A tenant's container as the bridge makes it (also what scripts/bench-density.ts starts). */
export function tenantContainerSpec(
  runtime: TenantRuntime,
  input: {
    name: string;
    db: string;
    password: string;
    dataDir: string;
    labels: Record<string, string>;
    plan: Pick<PlanRecord, 'workers' | 'memoryMb' | 'cpuLimit' | 'dbMaxconn' | 'expectedMemoryMb'>;
    /** odoo.conf's content: a self-contained tenant (Swarm) writes it itself, mounting no data dir */
    odooConfig?: string;
  },
): ContainerSpec {
  const { plan } = input;
  const sized = sizingArgs(tenantSizing(plan), plan.workers);
  const spec = odooContainerSpec(runtime, {
    name: input.name,
    db: input.db,
    dbUser: input.db,
    dbPassword: input.password,
    dataDir: input.dataDir,
    labels: input.labels,
    memoryMb: plan.memoryMb,
    cpus: plan.cpuLimit,
    odooArgs: [
      `--config=${TENANT_CONFIG_PATH}`,
      '--proxy-mode',
      `--http-port=${ODOO_HTTP_PORT}`,
      ...sized.args,
    ],
    restart: 'unless-stopped',
  });
  // the official image's entrypoint reads its config file from ODOO_RC
  spec.env = [...(spec.env ?? []), `ODOO_RC=${TENANT_CONFIG_PATH}`, ...sized.env];
  if (plan.expectedMemoryMb) spec.reservedMemoryMb = plan.expectedMemoryMb;
  if (runtime.selfContained && input.odooConfig !== undefined) {
    // on whichever node runs it: the file from the environment, then Odoo as PID 1
    spec.env.push(`SAAS_ODOO_CONF=${input.odooConfig}`);
    spec.cmd = [
      'sh',
      '-c',
      `umask 077 && printf '%s' "$SAAS_ODOO_CONF" > ${TENANT_CONFIG_PATH} && exec "$@"`,
      'sh',
      ...spec.cmd,
    ];
  }
  return spec;
}

/**
 * Odoo's master password (database manager) of one tenant: random, hashed, and forgotten at once. It is
 * kept nowhere but this file, so nobody (not even we) can use the database manager of a tenant.
 */
export async function tenantOdooConfig(opts: { emailFrom?: string } = {}): Promise<string> {
  // a random 32-character secret needs no key stretching; Odoo verifies any pbkdf2 round count
  const adminPasswd = await passlibHash(strongPassword(32));
  // Odoo's default From (no alias domain): the notifications address of the tenant's own host
  const emailFrom = opts.emailFrom ? `email_from = ${opts.emailFrom}\n` : '';
  return `[options]\nadmin_passwd = ${adminPasswd}\n${emailFrom}`;
}

/** the local part of the address tenants send from when a mail's own From is not theirs */
export const NOTIFICATIONS_LOCAL_PART = 'notifications';
