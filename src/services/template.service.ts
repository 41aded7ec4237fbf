import { randomUUID } from 'node:crypto';
import { BridgeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { DatabasePort } from '../ports/database.port.js';
import type { ContainerSpec, DockerPort } from '../ports/docker.port.js';
import type { FilestorePort } from '../ports/filestore.port.js';
import type { LockPort } from '../ports/lock.port.js';
import type { PlanRecord } from '../ports/odoo.port.js';
import { isOtherTemplateOfPlan, templateDbName } from './naming.js';
import { localeSuffix, templateLocaleOf, type TemplateLocale } from './tenant-locale.js';
import { odooContainerSpec, type TenantRuntime } from './tenant-runtime.js';

export const TEMPLATE_READY = 'saas:template-ready';
const BUILD_TIMEOUT_MS = 15 * 60_000;
// short and renewed while building: a bridge killed mid-build frees the template within a minute
const LOCK_TTL_S = 60;
const LOCK_RENEW_MS = 20_000;
const WAIT_STEP_MS = 1_000;
const WARM_MARK = 'SAAS_ASSETS_WARMED';
const WARM_CALL = `print('${WARM_MARK}', len(env['saas.tenant.assets'].warm_bundles())); env.cr.commit()`;
const INLINE_MARK = 'SAAS_ATTACHMENTS_ON_FILE';
// Odoo's own move of every binary attachment to the configured storage; then what is left on file
const ON_FILE = `['&', ('store_fname', '!=', False), '|', ('res_field', '=', False), ('res_field', '!=', False)]`;
const INLINE_CALL =
  `env['ir.config_parameter'].set_param('ir_attachment.location', 'db'); ` +
  `env['ir.attachment'].force_storage(); env.cr.commit(); ` +
  `print('${INLINE_MARK}', env['ir.attachment'].search_count(${ON_FILE}))`;

export interface TemplateDeps {
  db: DatabasePort;
  docker: DockerPort;
  filestore: FilestorePort;
  locks: LockPort;
  runtime: TenantRuntime;
  logger: Logger;
  templateUser: string;
  templatePassword: string;
  /** identifies the Odoo build and our tenant addon; a change gives new template names */
  odooBuild: string;
  /** the locales that get templates of their own (TENANT_TEMPLATE_LOCALES); none: plain ones only */
  locales?: readonly TemplateLocale[];
}

/**
 * One template database per plan and locale (language, country), with the plan's modules and
 * saas_tenant installed, and for a locale its language loaded and its country's accounting. Built
 * once (a fresh -i install is the slow path every customer would otherwise wait for), then cloned.
 */
export class TemplateService {
  constructor(private readonly deps: TemplateDeps) {}

  get templateUser(): string {
    return this.deps.templateUser;
  }

  modulesOf(plan: PlanRecord): string[] {
    return ['base', 'saas_tenant', ...plan.modules];
  }

  /** the template of the plan in this locale (none, or English without a country: the plain one) */
  nameOf(plan: PlanRecord, locale?: TemplateLocale): string {
    const own = this.ownLocale(locale);
    return templateDbName(
      plan.code,
      this.modulesOf(plan),
      this.deps.odooBuild,
      own && localeSuffix(own),
    );
  }

  /** Returns the template's name once it is ready, building it when needed. */
  async ensure(plan: PlanRecord, locale?: TemplateLocale): Promise<string> {
    const own = this.ownLocale(locale);
    const name = this.nameOf(plan, own);
    if (await this.isReady(name)) return name;
    const owner = randomUUID();
    const deadline = Date.now() + BUILD_TIMEOUT_MS;
    while (!(await this.deps.locks.lock(`template:${name}`, owner, LOCK_TTL_S))) {
      if (Date.now() > deadline)
        throw new BridgeError('internal', `template ${name} is locked by another build`);
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
    const renew = setInterval(() => {
      void this.deps.locks.lock(`template:${name}`, owner, LOCK_TTL_S).catch(() => undefined);
    }, LOCK_RENEW_MS);
    try {
      // another process may have finished it while we waited
      if (await this.isReady(name)) return name;
      await this.build(plan, name, own);
      return name;
    } finally {
      clearInterval(renew);
      await this.deps.locks.unlock(`template:${name}`, owner);
    }
  }

  private ownLocale(locale: TemplateLocale | undefined): TemplateLocale | undefined {
    return locale && templateLocaleOf(locale, this.deps.locales ?? []);
  }

  /** built, and its filestore is where clones copy it from (a data dir lost or moved means rebuild) */
  private async isReady(name: string): Promise<boolean> {
    return (
      (await this.deps.db.databaseMarker(name)) === TEMPLATE_READY &&
      (await this.deps.filestore.exists(name))
    );
  }

  private async build(
    plan: PlanRecord,
    name: string,
    locale: TemplateLocale | undefined,
  ): Promise<void> {
    const { db, filestore, logger } = this.deps;
    const started = Date.now();
    logger.info({ template: name, plan: plan.code, locale }, 'building template database');
    // a half-built template from a crashed run is thrown away, never reused
    await db.dropDatabase(name);
    await filestore.remove(name);
    await db.createEmptyDatabase(name, this.deps.templateUser);
    await this.installInto(
      plan,
      name,
      this.deps.templateUser,
      this.deps.templatePassword,
      {
        container: `saas-template-${name}`.replaceAll('_', '-'),
        labels: { 'saas.template': name },
      },
      locale,
    );
    await this.warmAssets(name, `saas-template-${name}-assets`.replaceAll('_', '-'));
    await db.setDatabaseMarker(name, TEMPLATE_READY);
    logger.info({ template: name, seconds: (Date.now() - started) / 1000 }, 'template ready');
    await this.dropOutdated(plan, name);
  }

  /**
   * A fresh `-i` of the plan's modules into the empty database `name` (owned by `dbUser`), with its
   * filestore: what a template build does, and what the naive path (TENANT_DB_SOURCE=fresh) does for
   * every tenant. With a locale, in two runs: base with the language, then (the company's country
   * set in between) the apps, so that installing `account` installs the country's localisation and
   * loads its default chart of accounts (Odoo's own choice: account's post-init hook).
   */
  async installInto(
    plan: PlanRecord,
    name: string,
    dbUser: string,
    dbPassword: string,
    run: { container: string; labels: Record<string, string> },
    locale?: TemplateLocale,
  ): Promise<void> {
    const { db, filestore } = this.deps;
    await filestore.ensureEmpty(name);
    const own = this.ownLocale(locale);
    if (!own) {
      await this.odooInit(this.modulesOf(plan), [], name, dbUser, dbPassword, run);
    } else {
      const lang = own.lang === 'en_US' ? [] : [`--load-language=${own.lang}`];
      await this.odooInit(['base'], lang, name, dbUser, dbPassword, run);
      if (own.country) await db.setCompanyCountry(name, own.country);
      const apps = this.modulesOf(plan).filter((module) => module !== 'base');
      await this.odooInit(apps, lang, name, dbUser, dbPassword, run);
    }
    if (this.deps.runtime.selfContained)
      await this.inlineAttachments(name, dbUser, dbPassword, run);
  }

  /**
   * Swarm: attachments go into the database (`ir_attachment.location = db`), the installed ones
   * moved there by Odoo's own `force_storage`, so that a tenant's whole data is in PostgreSQL and
   * any node can run it (docs/swarm.md, "Where a tenant's data lives"). A clone inherits the setting.
   */
  private async inlineAttachments(
    name: string,
    dbUser: string,
    dbPassword: string,
    run: { container: string; labels: Record<string, string> },
  ): Promise<void> {
    const spec = this.oneOffSpec(
      name,
      dbUser,
      dbPassword,
      { container: `${run.container}-inline`, labels: run.labels },
      ['--no-http', '--log-level=warn'],
    );
    const { exitCode, logs } = await this.deps.docker.runToCompletion(
      shellSpec(spec, INLINE_CALL),
      BUILD_TIMEOUT_MS,
    );
    const left = new RegExp(`${INLINE_MARK} (\\d+)`).exec(logs)?.[1];
    if (exitCode !== 0 || left !== '0')
      throw new BridgeError(
        'internal',
        `moving the attachments of ${name} into the database failed (exit ${exitCode}, on file: ${left ?? '?'}): ${logs.trim().split('\n').slice(-3).join(' | ')}`,
      );
  }

  private async odooInit(
    modules: string[],
    extraArgs: string[],
    name: string,
    dbUser: string,
    dbPassword: string,
    run: { container: string; labels: Record<string, string> },
  ): Promise<void> {
    const spec = this.oneOffSpec(name, dbUser, dbPassword, run, [
      `--init=${modules.join(',')}`,
      ...extraArgs,
      '--without-demo=all',
      '--stop-after-init',
      '--no-http',
      '--log-level=warn',
    ]);
    const { docker } = this.deps;
    const { exitCode, logs } = await docker.runToCompletion(spec, BUILD_TIMEOUT_MS);
    if (exitCode !== 0 || /\bERROR\b|CRITICAL/.test(logs)) {
      throw new BridgeError(
        'internal',
        `install of ${name} failed (exit ${exitCode}): ${logs.trim().split('\n').slice(-5).join(' | ')}`,
      );
    }
  }

  /**
   * Compiles the login page's and the web client's asset bundles into the template (saas_tenant's
   * `saas.tenant.assets`), so that clones serve them as stored attachments. Otherwise every tenant
   * compiles them at its owner's first login: 10-35 s of waiting here, and 60-80 MiB that the Python
   * process keeps afterwards (measured: 196 MiB after a first login, 134 MiB with warmed bundles).
   * Only a speed-up: Odoo failing at it is logged and the template is used as it is.
   */
  private async warmAssets(name: string, container: string): Promise<void> {
    const { docker, logger } = this.deps;
    const started = Date.now();
    const spec = this.oneOffSpec(
      name,
      this.deps.templateUser,
      this.deps.templatePassword,
      { container, labels: { 'saas.template': name } },
      ['--no-http', '--log-level=warn'],
    );
    // the engine failing (or the bridge dying) fails the build as any other step does; Odoo failing
    // to compile only costs the clones their first login's speed
    const { exitCode, logs } = await docker.runToCompletion(
      shellSpec(spec, WARM_CALL),
      BUILD_TIMEOUT_MS,
    );
    const files = new RegExp(`${WARM_MARK} (\\d+)`).exec(logs)?.[1];
    if (exitCode !== 0 || files === undefined) {
      logger.warn(
        { template: name, exitCode, logs: logs.trim().split('\n').slice(-3).join(' | ') },
        'asset bundles not compiled into the template; each tenant compiles them at first login',
      );
      return;
    }
    logger.info(
      { template: name, files: Number(files), seconds: (Date.now() - started) / 1000 },
      'asset bundles compiled into the template',
    );
  }

  /** a one-shot Odoo of ours against database `name`: an install, or the asset warm-up */
  private oneOffSpec(
    name: string,
    dbUser: string,
    dbPassword: string,
    run: { container: string; labels: Record<string, string> },
    odooArgs: string[],
  ): ContainerSpec {
    const { filestore, runtime } = this.deps;
    // our own code only, on the host's network: pg_hba admits the template role on loopback alone,
    // never from the tenant network (scripts/lib/postgres.sh)
    return odooContainerSpec(
      { ...runtime, network: 'host', dbHost: '127.0.0.1' },
      {
        name: run.container,
        db: name,
        dbUser,
        dbPassword,
        dataDir: filestore.dataDirOf(name),
        labels: run.labels,
        memoryMb: 2048,
        cpus: 2,
        odooArgs,
        restart: 'no',
      },
    );
  }

  /** templates the plan no longer uses are not customer data: they go, so disks do not fill up */
  private async dropOutdated(plan: PlanRecord, current: string): Promise<void> {
    const { db, filestore, logger } = this.deps;
    for (const old of await db.listDatabases('tmpl_')) {
      if (!isOtherTemplateOfPlan(old, plan.code, current)) continue;
      try {
        await db.dropDatabase(old);
        await filestore.remove(old);
        logger.info({ template: old, plan: plan.code }, 'outdated template dropped');
      } catch (err) {
        logger.warn(
          { template: old, err },
          'outdated template not dropped; next build tries again',
        );
      }
    }
  }
}

/** `odoo shell` runs what it reads on stdin (when stdin is no terminal) against the database */
function shellSpec(spec: ContainerSpec, python: string): ContainerSpec {
  const [bin = 'odoo', ...args] = spec.cmd;
  return { ...spec, cmd: ['sh', '-c', `echo "${python}" | exec ${bin} shell "$@"`, bin, ...args] };
}
