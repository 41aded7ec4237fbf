import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_READY, TemplateService } from '../../../src/services/template.service.js';
import { odooContainerSpec } from '../../../src/services/tenant-runtime.js';
import { tenantContainerSpec } from '../../../src/services/provisioning/container.step.js';
import { buildWorld, RUNTIME, STARTER_PLAN, TEMPLATE_USER } from '../../support/world.js';

const SWARM_RUNTIME = { ...RUNTIME, odooSrc: '/opt/odoo17', selfContained: true };

/** the world's fakes behind a template service whose tenants are self-contained (Swarm) */
function swarmTemplates(world = buildWorld()) {
  const templates = new TemplateService({
    db: world.db,
    docker: world.docker,
    filestore: world.filestore,
    locks: world.locks,
    runtime: SWARM_RUNTIME,
    logger: pino({ level: 'silent' }),
    templateUser: TEMPLATE_USER,
    templatePassword: 'template-password',
    odooBuild: 'sha256:fake-odoo-17|addons-v1|attachments:db',
  });
  return { world, templates };
}

const isInline = (cmd: string[]) => cmd.some((a) => a.includes('force_storage'));

describe('templates in Swarm mode (self-contained tenants)', () => {
  it('moves the installed attachments into the database before the template is ready', async () => {
    const { world, templates } = swarmTemplates();
    world.docker.runAnswer = (spec) =>
      isInline(spec.cmd) ? { exitCode: 0, logs: 'SAAS_ATTACHMENTS_ON_FILE 0' } : undefined;
    const name = await templates.ensure(STARTER_PLAN);
    const inline = world.docker.runs.find((r) => isInline(r.cmd));
    expect(inline?.cmd.join(' ')).toContain(
      "env['ir.config_parameter'].set_param('ir_attachment.location', 'db')",
    );
    // after the install, before the asset warm-up (whose bundles then go to the database too)
    const order = world.docker.runs.map((r) =>
      isInline(r.cmd) ? 'inline' : r.cmd.some((a) => a.startsWith('--init=')) ? 'init' : 'other',
    );
    expect(order).toEqual(['init', 'inline', 'other']);
    // on this host, with the data dir only: the image carries Odoo and saas_tenant
    expect(inline?.binds).toEqual([`${world.filestore.dataDirOf(name)}:/var/lib/odoo`]);
    expect(world.db.get(name).marker).toBe(TEMPLATE_READY);
  });

  it('fails the build when attachments stay on file, and marks nothing ready', async () => {
    const { world, templates } = swarmTemplates();
    world.docker.runAnswer = (spec) =>
      isInline(spec.cmd) ? { exitCode: 0, logs: 'SAAS_ATTACHMENTS_ON_FILE 3' } : undefined;
    await expect(templates.ensure(STARTER_PLAN)).rejects.toThrow(
      /moving the attachments of .* into the database failed \(exit 0, on file: 3\)/,
    );
    expect(world.db.get(templates.nameOf(STARTER_PLAN)).marker).toBeUndefined();
  });

  it('plain mode runs no such step', async () => {
    const world = buildWorld();
    await world.templates.ensure(STARTER_PLAN);
    expect(world.docker.runs.some((r) => isInline(r.cmd))).toBe(false);
  });
});

describe('odooContainerSpec of a self-contained tenant', () => {
  const input = {
    name: 'saas-tenant-x',
    db: 'tenant_x',
    dbUser: 'tenant_x',
    dbPassword: 'pw',
    dataDir: '/srv/data/tenant_x',
    labels: {},
    memoryMb: 1024,
    cpus: 1,
    odooArgs: [],
  };

  it('mounts nothing of this host into a tenant, so any node can run it', () => {
    expect(odooContainerSpec(SWARM_RUNTIME, { ...input, restart: 'unless-stopped' }).binds).toEqual(
      [],
    );
    expect(odooContainerSpec(RUNTIME, { ...input, restart: 'unless-stopped' }).binds).toEqual([
      '/srv/data/tenant_x:/var/lib/odoo',
      '/srv/odoo-addons/saas_tenant:/mnt/extra-addons/saas_tenant:ro',
    ]);
  });
});

describe('tenantContainerSpec of a self-contained tenant', () => {
  const input = {
    name: 'saas-tenant-x',
    db: 'tenant_x',
    password: 'pw',
    dataDir: '/srv/data/tenant_x',
    labels: {},
    plan: STARTER_PLAN,
    odooConfig: '[options]\nadmin_passwd = $pbkdf2-sha512$1$x$y\n',
  };

  it('writes its odoo.conf from the environment on its node, then runs Odoo as PID 1', () => {
    const spec = tenantContainerSpec(SWARM_RUNTIME, input);
    expect(spec.binds).toEqual([]);
    expect(spec.env).toContain(`SAAS_ODOO_CONF=${input.odooConfig}`);
    expect(spec.cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(spec.cmd[2]).toMatch(
      /printf '%s' "\$SAAS_ODOO_CONF" > \/var\/lib\/odoo\/odoo.conf && exec "\$@"$/,
    );
    expect(spec.cmd.slice(3, 5)).toEqual(['sh', 'odoo']);
    expect(spec.cmd).toContain('--config=/var/lib/odoo/odoo.conf');
  });

  it('in plain mode reads the file the bridge wrote into its mounted data dir', () => {
    const spec = tenantContainerSpec(RUNTIME, input);
    expect(spec.cmd[0]).toBe('odoo');
    expect(spec.env?.some((e) => e.startsWith('SAAS_ODOO_CONF='))).toBe(false);
  });
});
