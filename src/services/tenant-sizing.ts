import type { PlanRecord } from '../ports/odoo.port.js';

/**
 * How many PostgreSQL connections, threads and bytes one tenant Odoo may take, from its plan
 * (docs/capacity.md). Odoo's defaults are sized for a server of its own: a pool of 64 connections
 * per process and 2 cron threads, so one busy tenant could take a host's whole max_connections.
 */
export interface TenantSizing {
  /** Odoo's db_maxconn: its connection pool per process (shared by HTTP, cron and the bus) */
  dbMaxconn: number;
  maxCronThreads: number;
  /** HTTP request threads (threaded mode): more requests wait in the socket queue, never a PoolError */
  maxHttpThreads: number;
  /** the tenant role's CONNECTION LIMIT: every Odoo process's pool, plus a restart's overlap */
  connectionLimit: number;
  /** Odoo's limit_memory_soft / limit_memory_hard in bytes, inside the container's memory limit */
  memorySoftBytes: number;
  memoryHardBytes: number;
}

/** db_maxconn of a plan that names none: cron LISTEN + bus LISTEN + one cron job + 3 requests */
export const DEFAULT_DB_MAXCONN = 6;
const CRON_THREADS = 1;
/** old backends of a restarted container linger a moment after it is gone */
const RESTART_OVERLAP = 2;
const MIB = 1024 * 1024;
/**
 * Address space the report renderer's JavaScript engine reserves for its JIT code. Odoo applies
 * limit_memory_hard as RLIMIT_AS (threaded mode too) and wkhtmltopdf inherits it; QtWebKit's
 * JavaScriptCore reserves 1 GiB for JIT code up front (wkhtmltopdf's start-up address space is
 * ~1.35 GiB), and when that mmap fails it crashes (SIGSEGV, Odoo's "error code: -11") before
 * rendering: no PDF under any limit below ~1.35 GiB, i.e. on every plan of less than 1.5 GB. A
 * report runs a few lines of script, so 64 MiB of JIT code is plenty (with 64 MiB it renders
 * under a 460 MB limit); JavaScriptCore reads its options from JSC_* variables.
 */
export const REPORT_JIT_RESERVATION_BYTES = 64 * MIB;

export function tenantSizing(
  plan: Pick<PlanRecord, 'workers' | 'memoryMb' | 'dbMaxconn'>,
): TenantSizing {
  const dbMaxconn = Math.max(plan.dbMaxconn ?? DEFAULT_DB_MAXCONN, 3);
  // prefork: every HTTP worker, the cron worker and the gevent (websocket) process has its own pool
  const processes = plan.workers > 0 ? plan.workers + CRON_THREADS + 1 : 1;
  // Odoo's own rule for threaded servers: half the pool left after cron, as a request may hold two
  const maxHttpThreads = Math.max(Math.floor((dbMaxconn - CRON_THREADS) / 2), 1);
  const memory = plan.memoryMb * MIB;
  return {
    dbMaxconn,
    maxCronThreads: CRON_THREADS,
    maxHttpThreads,
    connectionLimit: processes * dbMaxconn + RESTART_OVERLAP,
    // Odoo measures virtual memory; soft restarts the process (or worker) gracefully, hard makes
    // allocations fail before the kernel's OOM killer takes the whole container
    memorySoftBytes: Math.floor(memory * 0.75),
    memoryHardBytes: Math.floor(memory * 0.9),
  };
}

/** Odoo's command-line options and environment for a tenant of this size. */
export function sizingArgs(
  sizing: TenantSizing,
  workers: number,
): { args: string[]; env: string[] } {
  const args = [
    `--db_maxconn=${sizing.dbMaxconn}`,
    `--max-cron-threads=${sizing.maxCronThreads}`,
    `--limit-memory-soft=${sizing.memorySoftBytes}`,
    `--limit-memory-hard=${sizing.memoryHardBytes}`,
  ];
  if (workers > 0) args.unshift(`--workers=${workers}`);
  return {
    args,
    env: [
      `ODOO_MAX_HTTP_THREADS=${sizing.maxHttpThreads}`,
      `JSC_jitMemoryReservationSize=${REPORT_JIT_RESERVATION_BYTES}`,
    ],
  };
}
