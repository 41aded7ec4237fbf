import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { TenantMailRelay } from './ports/tenant.port.js';
import { parseTemplateLocales, type TemplateLocale } from './services/tenant-locale.js';
import { parseWarmSpares, type WarmSparesSetting } from './services/warm-spares.js';

/** Placeholder values shipped in .env.example; production refuses them. */
const DEFAULT_SECRETS = new Set([
  '',
  'change-me',
  'admin',
  'password',
  'ops',
  'change-me-to-32-random-bytes',
]);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

const port = z.coerce.number().int().min(1).max(65535);

/** `VAR=` in an env file means "not set" */
const blankAsUnset = (v: unknown) => (v === '' ? undefined : v);
const optionalUrl = z.preprocess(blankAsUnset, z.url({ protocol: /^https?$/ }).optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  BRIDGE_PORT: port.default(3000),
  BRIDGE_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BRIDGE_SHARED_SECRET: z.string().min(16, 'must be at least 16 characters'),
  TENANT_BRIDGE_SECRET: z.preprocess(
    blankAsUnset,
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  SAAS_OWNER: z.preprocess(
    blankAsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9-]{8,64}$/, 'must be 8-64 letters, digits or hyphens (a uuid)')
      .optional(),
  ),
  BULL_BOARD_USER: z.string().min(1),
  BULL_BOARD_PASSWORD: z.string().min(1),
  BULL_BOARD_READONLY_USER: optionalString,
  BULL_BOARD_READONLY_PASSWORD: z.preprocess(
    blankAsUnset,
    z.string().min(12, 'must be at least 12 characters').optional(),
  ),
  OPS_TOKEN: z.preprocess(
    blankAsUnset,
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),

  REDIS_URL: z.url({ protocol: /^rediss?$/ }),

  ODOO_URL: z.url({ protocol: /^https?$/ }),
  ODOO_DB: z.string().min(1),
  ODOO_LOGIN: z.string().min(1),
  ODOO_PASSWORD: z.string().min(1),
  ODOO_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  MASTER_PUBLIC_URL: optionalUrl,

  PG_ADMIN_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  PG_TEMPLATE_USER: z.string().min(1).default('saas_template'),
  PG_TEMPLATE_PASSWORD: z.string().min(1),
  TENANT_DB_HOST: optionalString,
  TENANT_DB_PORT: port.default(5432),

  DOCKER_SOCKET: z.string().min(1).default('/var/run/docker.sock'),
  DOCKER_MODE: z.enum(['plain', 'swarm']).default('plain'),
  SWARM_WATCH_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  TENANT_IMAGE: z.string().min(1).default('odoo:17'),
  TENANT_ODOO_SRC: optionalString,
  TENANT_ADDONS_PATH: z.string().min(1).default('/mnt/extra-addons'),
  SAAS_ADDONS_DIR: z.string().min(1).default('./odoo-addons'),
  TENANT_DATA_DIR: z.string().min(1).default('/var/lib/saas/tenants'),
  TENANT_NETWORK: z.string().min(1).default('saas_tenants'),
  TENANT_SUBNET: z.cidrv4().default('172.30.0.0/24'),
  TENANT_UID: z.coerce.number().int().min(0).default(101),
  TENANT_DB_SOURCE: z.enum(['template', 'fresh']).default('template'),

  CADDY_ADMIN_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:2019'),
  CADDY_SERVER: z
    .string()
    .regex(/^[\w-]+$/)
    .default('saas'),
  BASE_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/, 'must be a domain name like saas.example.com'),
  PUBLIC_URL_SCHEME: z.enum(['http', 'https']).default('https'),
  PUBLIC_URL_PORT: z.preprocess(blankAsUnset, port.optional()),
  SUSPENDED_PAGE_URL: optionalUrl,
  CUSTOM_DOMAIN_CHECK_PORT: port.default(80),
  CADDY_CHALLENGE_SERVER: z.preprocess(
    blankAsUnset,
    z
      .string()
      .regex(/^[\w-]+$/)
      .optional(),
  ),

  SMTP_URL: z.url({ protocol: /^smtps?$/ }),
  MAIL_FROM: z.string().min(3),
  // the relay tenants send their own mail through (empty host: the tenant network's gateway,
  // where the local stack's mail sink listens); its password only ever goes into the tenant
  TENANT_SMTP_HOST: optionalString,
  TENANT_SMTP_PORT: port.default(1025),
  TENANT_SMTP_USER: optionalString,
  TENANT_SMTP_PASSWORD: optionalString,
  TENANT_SMTP_ENCRYPTION: z.enum(['none', 'starttls', 'ssl']).default('none'),
  TENANT_TEMPLATE_LOCALES: z
    .string()
    .default('es_ES:ES')
    .transform((text, ctx) => {
      const parsed = parseTemplateLocales(text);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),

  // warm spares per plan: cheapest (1 for the cheapest plan), off, or basic=1 pro=0
  WARM_SPARES: z
    .string()
    .default('cheapest')
    .transform((text, ctx) => {
      const parsed = parseWarmSpares(text);
      if ('problem' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }
      return parsed.setting;
    }),
  PROVISION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  TENANT_READY_TIMEOUT_MS: z.coerce.number().int().min(1000).default(90_000),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(300),
  HIBERNATION_SCAN_SECONDS: z.coerce.number().int().min(0).default(60),
  WAKE_UPSTREAM: z
    .string()
    .regex(/^([A-Za-z0-9.-]+:\d{1,5})?$/, 'must be host:port')
    .optional()
    .transform((v) => (v ? v : undefined)),

  CAPACITY_MEMORY_MB: z.coerce.number().int().min(0).default(0),
  CAPACITY_MEMORY_OVERCOMMIT: z.coerce.number().positive().max(100).default(1),
  CAPACITY_CPU_OVERCOMMIT: z.coerce.number().positive().max(1000).default(80),
  CAPACITY_SPARE_CONNECTIONS: z.coerce.number().int().min(0).default(20),
  CAPACITY_MIN_FREE_DISK_MB: z.coerce.number().int().min(0).default(2048),
  CAPACITY_DEFAULT_FOOTPRINT_MB: z.coerce.number().int().min(16).default(150),
  CAPACITY_ALERT_PERCENT: z.coerce.number().int().min(1).max(100).default(80),
  CAPACITY_CHECK_SECONDS: z.coerce.number().int().min(5).default(60),
  CAPACITY_ALERT_EMAIL: optionalString,

  RESTIC_REPOSITORY_BASE: z.string().min(1).default('/var/lib/saas/backups'),
  RESTIC_PASSWORD: optionalString,
  MASTER_FILESTORE_DIR: optionalString,
  MASTER_BACKUP_INTERVAL_HOURS: z.coerce.number().int().min(1).default(24),
  MASTER_BACKUP_KEEP: z.coerce.number().int().min(1).default(14),
  BACKUP_CHECK_READ_DATA: z
    .string()
    .regex(/^(\d{1,2}(\.\d+)?%|\d+\/\d+|)$/, 'must be like 5% or 1/20, or empty')
    .default('5%'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  http: { port: number; host: string };
  logLevel: Env['LOG_LEVEL'];
  sharedSecret: string;
  /** the technical user's API key in each tenant is an HMAC of the tenant ref with it */
  tenantBridgeSecret: string;
  /** owner label of every tenant resource; undefined: the master's database.uuid, read at start */
  owner: string | undefined;
  bullBoard: {
    user: string;
    password: string;
    /** a login that may only look (GET) at the board */
    readOnly: { user: string; password: string } | undefined;
  };
  /** lets non-loopback clients read /metrics and /readyz (Bearer); unset: loopback only */
  opsToken: string | undefined;
  redisUrl: string;
  odoo: {
    url: string;
    db: string;
    login: string;
    password: string;
    timeoutMs: number;
    publicUrl: string;
  };
  postgres: {
    adminUrl: string;
    templateUser: string;
    templatePassword: string;
    tenantHost: string | undefined;
    tenantPort: number;
  };
  docker: {
    socketPath: string;
    /** plain: containers on this engine; swarm: one-replica services on the Swarm it manages */
    mode: 'plain' | 'swarm';
    /** swarm: how often tenants' addresses are compared, to re-route the ones Swarm moved */
    swarmWatchSeconds: number;
    image: string;
    odooSrc: string | undefined;
    addonsPath: string;
    saasAddonsDir: string;
    dataDir: string;
    network: string;
    subnet: string;
    uid: number;
    /** TENANT_DB_SOURCE: template (clone, the default) or fresh (an -i install per tenant, the naive path) */
    databaseSource: 'template' | 'fresh';
    /** the buyers' locales whose tenants clone a template of their own (language, accounting) */
    templateLocales: TemplateLocale[];
    /** WARM_SPARES: tenants per plan cloned and booted ahead of orders (README, Warm spares) */
    warmSpares: WarmSparesSetting;
  };
  proxy: {
    adminUrl: string;
    server: string;
    baseDomain: string;
    scheme: 'http' | 'https';
    port: number | undefined;
    suspendedPageUrl: string | undefined;
    /** the plain HTTP port a custom domain's check is fetched on (80; the local stack's Caddy port) */
    domainCheckPort: number;
    /** the Caddy server plain HTTP reaches, where a domain check's token route goes */
    challengeServer: string;
  };
  mail: { smtpUrl: string; from: string };
  /** the SMTP relay every tenant gets as its outgoing mail server (host: the gateway when unset) */
  tenantMail: Omit<TenantMailRelay, 'host'> & { host: string | undefined };
  jobs: { provisionConcurrency: number; readyTimeoutMs: number; reconcileIntervalSeconds: number };
  /** docs/hibernation.md */
  hibernation: {
    /** how often idle tenants are looked for; 0: none ever sleeps */
    scanSeconds: number;
    /** the bridge as the proxy reaches it (host:port), where sleeping tenants' requests go */
    wakeUpstream: string;
  };
  capacity: {
    /** 0: the host's memory minus what the master, PostgreSQL and the OS keep */
    memoryMb: number;
    memoryOvercommit: number;
    cpuOvercommit: number;
    spareConnections: number;
    minFreeDiskMb: number;
    defaultFootprintMb: number;
    alertPercent: number;
    checkSeconds: number;
    /** who hears of a resource above the alert share (default: MAIL_FROM's own address) */
    alertEmail: string;
  };
  backup: {
    /** restic repositories: `<base>/<tenant db>` and `<base>/master` */
    repositoryBase: string;
    password: string | undefined;
    /** restic's storage credentials (AWS_*), passed through to restic only */
    storageEnv: Record<string, string>;
    /** host path of the master's filestore (<data_dir>/filestore/<db>); none: database only */
    masterFilestoreDir: string | undefined;
    masterIntervalHours: number;
    masterKeep: number;
    /** share of the packs the weekly restic check reads; undefined: structure only */
    checkReadData: string | undefined;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with one line naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = source[name];
      const why = value === undefined ? 'is missing' : issue.message;
      return `${name} ${why}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')} (see .env.example)`);
  }
  const e = parsed.data;
  if (!e.BULL_BOARD_READONLY_USER !== !e.BULL_BOARD_READONLY_PASSWORD) {
    throw new ConfigError(
      'invalid configuration: BULL_BOARD_READONLY_USER and BULL_BOARD_READONLY_PASSWORD go together (see .env.example)',
    );
  }
  if (e.BULL_BOARD_READONLY_USER === e.BULL_BOARD_USER) {
    throw new ConfigError(
      'invalid configuration: BULL_BOARD_READONLY_USER must differ from BULL_BOARD_USER (see .env.example)',
    );
  }
  if (e.NODE_ENV === 'production') {
    const weak = [
      ['BULL_BOARD_USER', e.BULL_BOARD_USER],
      ['BULL_BOARD_PASSWORD', e.BULL_BOARD_PASSWORD],
      ['BRIDGE_SHARED_SECRET', e.BRIDGE_SHARED_SECRET],
      ['RESTIC_PASSWORD', e.RESTIC_PASSWORD],
    ].filter(([, v]) => DEFAULT_SECRETS.has(v ?? ''));
    if (!e.TENANT_BRIDGE_SECRET) weak.push(['TENANT_BRIDGE_SECRET', '']);
    if (weak.length > 0 || e.BULL_BOARD_PASSWORD.length < 12) {
      const names = weak.length > 0 ? weak.map(([n]) => n) : ['BULL_BOARD_PASSWORD'];
      throw new ConfigError(
        `invalid configuration: ${names.join(', ')} must not be empty or an example default in production (passwords and secrets 12+ characters)`,
      );
    }
  }
  return {
    env: e.NODE_ENV,
    http: { port: e.BRIDGE_PORT, host: e.BRIDGE_HOST },
    logLevel: e.LOG_LEVEL,
    sharedSecret: e.BRIDGE_SHARED_SECRET,
    // outside production a checkout without it still works: derived from the shared secret
    tenantBridgeSecret:
      e.TENANT_BRIDGE_SECRET ??
      createHmac('sha256', e.BRIDGE_SHARED_SECRET).update('tenant-bridge').digest('hex'),
    owner: e.SAAS_OWNER,
    bullBoard: {
      user: e.BULL_BOARD_USER,
      password: e.BULL_BOARD_PASSWORD,
      readOnly:
        e.BULL_BOARD_READONLY_USER && e.BULL_BOARD_READONLY_PASSWORD
          ? { user: e.BULL_BOARD_READONLY_USER, password: e.BULL_BOARD_READONLY_PASSWORD }
          : undefined,
    },
    opsToken: e.OPS_TOKEN,
    redisUrl: e.REDIS_URL,
    odoo: {
      url: e.ODOO_URL.replace(/\/+$/, ''),
      db: e.ODOO_DB,
      login: e.ODOO_LOGIN,
      password: e.ODOO_PASSWORD,
      timeoutMs: e.ODOO_TIMEOUT_MS,
      publicUrl: (e.MASTER_PUBLIC_URL ?? e.ODOO_URL).replace(/\/+$/, ''),
    },
    postgres: {
      adminUrl: e.PG_ADMIN_URL,
      templateUser: e.PG_TEMPLATE_USER,
      templatePassword: e.PG_TEMPLATE_PASSWORD,
      tenantHost: e.TENANT_DB_HOST,
      tenantPort: e.TENANT_DB_PORT,
    },
    docker: {
      socketPath: e.DOCKER_SOCKET,
      mode: e.DOCKER_MODE,
      swarmWatchSeconds: e.SWARM_WATCH_SECONDS,
      image: e.TENANT_IMAGE,
      odooSrc: e.TENANT_ODOO_SRC,
      addonsPath: e.TENANT_ADDONS_PATH,
      saasAddonsDir: e.SAAS_ADDONS_DIR,
      dataDir: e.TENANT_DATA_DIR,
      network: e.TENANT_NETWORK,
      subnet: e.TENANT_SUBNET,
      uid: e.TENANT_UID,
      databaseSource: e.TENANT_DB_SOURCE,
      templateLocales: e.TENANT_TEMPLATE_LOCALES,
      warmSpares: e.WARM_SPARES,
    },
    proxy: {
      adminUrl: e.CADDY_ADMIN_URL.replace(/\/+$/, ''),
      server: e.CADDY_SERVER,
      baseDomain: e.BASE_DOMAIN,
      scheme: e.PUBLIC_URL_SCHEME,
      port: e.PUBLIC_URL_PORT,
      suspendedPageUrl: e.SUSPENDED_PAGE_URL,
      domainCheckPort: e.CUSTOM_DOMAIN_CHECK_PORT,
      challengeServer: e.CADDY_CHALLENGE_SERVER ?? e.CADDY_SERVER,
    },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
    tenantMail: {
      host: e.TENANT_SMTP_HOST,
      port: e.TENANT_SMTP_PORT,
      user: e.TENANT_SMTP_USER,
      password: e.TENANT_SMTP_PASSWORD,
      encryption: e.TENANT_SMTP_ENCRYPTION,
    },
    jobs: {
      provisionConcurrency: e.PROVISION_CONCURRENCY,
      readyTimeoutMs: e.TENANT_READY_TIMEOUT_MS,
      reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
    },
    hibernation: {
      scanSeconds: e.HIBERNATION_SCAN_SECONDS,
      wakeUpstream: e.WAKE_UPSTREAM ?? `127.0.0.1:${e.BRIDGE_PORT}`,
    },
    capacity: {
      memoryMb: e.CAPACITY_MEMORY_MB,
      memoryOvercommit: e.CAPACITY_MEMORY_OVERCOMMIT,
      cpuOvercommit: e.CAPACITY_CPU_OVERCOMMIT,
      spareConnections: e.CAPACITY_SPARE_CONNECTIONS,
      minFreeDiskMb: e.CAPACITY_MIN_FREE_DISK_MB,
      defaultFootprintMb: e.CAPACITY_DEFAULT_FOOTPRINT_MB,
      alertPercent: e.CAPACITY_ALERT_PERCENT,
      checkSeconds: e.CAPACITY_CHECK_SECONDS,
      alertEmail: e.CAPACITY_ALERT_EMAIL ?? /<([^>]+)>/.exec(e.MAIL_FROM)?.[1] ?? e.MAIL_FROM,
    },
    backup: {
      repositoryBase: e.RESTIC_REPOSITORY_BASE,
      password: e.RESTIC_PASSWORD,
      storageEnv: Object.fromEntries(
        Object.entries(source).filter(
          (entry): entry is [string, string] => entry[0].startsWith('AWS_') && !!entry[1],
        ),
      ),
      masterFilestoreDir: e.MASTER_FILESTORE_DIR,
      masterIntervalHours: e.MASTER_BACKUP_INTERVAL_HOURS,
      masterKeep: e.MASTER_BACKUP_KEEP,
      checkReadData: e.BACKUP_CHECK_READ_DATA || undefined,
    },
  };
}
