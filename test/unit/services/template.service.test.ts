import { describe, expect, it } from 'vitest';
import { TEMPLATE_READY } from '../../../src/services/template.service.js';
import { buildWorld, STARTER_PLAN, TEMPLATE_USER } from '../../support/world.js';

describe('TemplateService.ensure', () => {
  it('builds a template once with the plan modules, then answers it from its marker', async () => {
    const world = buildWorld();
    const name = await world.templates.ensure(STARTER_PLAN);
    expect(name).toBe(world.templates.nameOf(STARTER_PLAN));
    expect(await world.templates.ensure(STARTER_PLAN)).toBe(name);
    expect(world.docker.installRuns).toHaveLength(1);
    const [spec] = world.docker.installRuns;
    expect(spec?.name).toBe(`saas-template-${name.replaceAll('_', '-')}`);
    expect(spec?.cmd).toEqual(
      expect.arrayContaining([
        `--database=${name}`,
        '--init=base,saas_tenant,sale,crm',
        '--without-demo=all',
        '--stop-after-init',
        '--no-http',
      ]),
    );
    expect(spec?.env).toContain(`USER=${TEMPLATE_USER}`);
    expect(spec).toMatchObject({
      restart: 'no',
      labels: { 'saas.managed': 'true', 'saas.template': name },
    });
    expect(world.db.get(name)).toMatchObject({ owner: TEMPLATE_USER, marker: TEMPLATE_READY });
    expect(world.filestore.dirs.has(name)).toBe(true);
    expect(world.locks.held.size).toBe(0);
  });

  it.each([
    ['a non-zero exit', { exitCode: 1, logs: 'boom' }],
    [
      'an ERROR in the log',
      { exitCode: 0, logs: 'INFO a\n2026 ERROR tmpl odoo.modules: cannot load\nINFO b' },
    ],
  ])(
    'fails on %s, keeps no marker, releases the lock, and rebuilds next time',
    async (_why, result) => {
      const world = buildWorld();
      world.docker.runResult = result;
      await expect(world.templates.ensure(STARTER_PLAN)).rejects.toMatchObject({
        code: 'internal',
      });
      const name = world.templates.nameOf(STARTER_PLAN);
      expect(world.db.get(name).marker).toBeUndefined();
      expect(world.locks.held.size).toBe(0);
      world.docker.runResult = { exitCode: 0, logs: 'ok' };
      expect(await world.templates.ensure(STARTER_PLAN)).toBe(name);
      expect(world.docker.installRuns).toHaveLength(2);
      expect(world.db.get(name).marker).toBe(TEMPLATE_READY);
    },
  );

  it('waits for another process building the same template and uses its result', async () => {
    const world = buildWorld();
    const name = world.templates.nameOf(STARTER_PLAN);
    world.locks.held.set(`template:${name}`, 'other-process');
    const waiting = world.templates.ensure(STARTER_PLAN);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // the other process finishes its build
    await world.db.createEmptyDatabase(name, TEMPLATE_USER);
    await world.filestore.ensureEmpty(name);
    await world.db.setDatabaseMarker(name, TEMPLATE_READY);
    world.locks.held.delete(`template:${name}`);
    expect(await waiting).toBe(name);
    expect(world.docker.installRuns).toHaveLength(0);
    expect(world.locks.refusals).toBeGreaterThanOrEqual(1);
  });

  it('rebuilds a template whose filestore is gone (data dir lost or moved)', async () => {
    const world = buildWorld();
    const name = await world.templates.ensure(STARTER_PLAN);
    await world.filestore.remove(name);
    expect(await world.templates.ensure(STARTER_PLAN)).toBe(name);
    expect(world.docker.installRuns).toHaveLength(2);
  });

  it('drops the outdated templates of the plan once a new one is ready, and nothing else', async () => {
    const world = buildWorld();
    await world.db.createEmptyDatabase('tmpl_starter_0000000000', TEMPLATE_USER);
    await world.db.createEmptyDatabase('tmpl_starter_plus_0000000000', TEMPLATE_USER);
    await world.db.createEmptyDatabase('tenant_starter', TEMPLATE_USER);
    const name = await world.templates.ensure(STARTER_PLAN);
    expect(await world.db.databaseExists(name)).toBe(true);
    expect(await world.db.databaseExists('tmpl_starter_0000000000')).toBe(false);
    expect(await world.db.databaseExists('tmpl_starter_plus_0000000000')).toBe(true);
    expect(await world.db.databaseExists('tenant_starter')).toBe(true);
  });

  it('names a different template when the plan modules change', () => {
    const world = buildWorld();
    const other = { ...STARTER_PLAN, modules: ['sale', 'crm', 'stock'] };
    expect(world.templates.nameOf(other)).not.toBe(world.templates.nameOf(STARTER_PLAN));
    expect(world.templates.nameOf({ ...STARTER_PLAN, modules: ['crm', 'sale'] })).toBe(
      world.templates.nameOf(STARTER_PLAN),
    );
  });
});

describe('TemplateService: asset bundles compiled into the template', () => {
  const isWarmUp = (cmd: string[]) => cmd[0] === 'sh' && cmd.join(' ').includes(' shell ');

  it('runs odoo shell on the built template after the install, before it is marked ready', async () => {
    const world = buildWorld();
    let markedBeforeWarmUp: string | undefined = 'not run';
    world.docker.runAnswer = (spec) => {
      if (!isWarmUp(spec.cmd)) return undefined;
      markedBeforeWarmUp = world.db.get(world.templates.nameOf(STARTER_PLAN)).marker;
      return { exitCode: 0, logs: 'SAAS_ASSETS_WARMED 7\n' };
    };
    const name = await world.templates.ensure(STARTER_PLAN);
    const warmUps = world.docker.runs.filter((run) => isWarmUp(run.cmd));
    expect(warmUps).toHaveLength(1);
    expect(world.docker.runs.at(-1)).toBe(warmUps[0]);
    expect(markedBeforeWarmUp).toBeUndefined();
    const [run] = warmUps;
    expect(run?.cmd[2]).toContain("env['saas.tenant.assets'].warm_bundles()");
    expect(run?.cmd).toEqual(expect.arrayContaining([`--database=${name}`, '--no-http']));
    expect(run?.cmd.some((arg) => arg.startsWith('--init'))).toBe(false);
    expect(run).toMatchObject({
      network: 'host',
      restart: 'no',
      labels: { 'saas.template': name },
    });
    expect(run?.env).toContain(`USER=${TEMPLATE_USER}`);
    expect(world.db.get(name).marker).toBe(TEMPLATE_READY);
  });

  it.each([
    ['a non-zero exit', { exitCode: 1, logs: 'Traceback: boom' }],
    ['no report of what it compiled', { exitCode: 0, logs: 'nothing' }],
  ])(
    'keeps the template when the warm-up ends in %s (only first logins are slower)',
    async (_why, answer) => {
      const world = buildWorld();
      world.docker.runAnswer = (spec) => (isWarmUp(spec.cmd) ? answer : undefined);
      const name = await world.templates.ensure(STARTER_PLAN);
      expect(world.db.get(name).marker).toBe(TEMPLATE_READY);
      expect(await world.templates.ensure(STARTER_PLAN)).toBe(name);
      expect(world.docker.installRuns).toHaveLength(1);
    },
  );
});
