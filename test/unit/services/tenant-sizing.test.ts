import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DB_MAXCONN,
  sizingArgs,
  tenantSizing,
} from '../../../src/services/tenant-sizing.js';

describe('tenantSizing', () => {
  it('gives a threaded Basic tenant a small pool, a role limit that covers it, memory inside the container', () => {
    const s = tenantSizing({ workers: 0, memoryMb: 2048, dbMaxconn: 6 });
    expect(s).toMatchObject({
      dbMaxconn: 6,
      maxCronThreads: 1,
      maxHttpThreads: 2,
      connectionLimit: 8,
    });
    expect(s.memoryHardBytes).toBeLessThan(2048 * 1024 * 1024);
    expect(s.memorySoftBytes).toBeLessThan(s.memoryHardBytes);
  });

  it('counts one pool per process in prefork mode (workers, cron, gevent)', () => {
    expect(tenantSizing({ workers: 2, memoryMb: 4096, dbMaxconn: 4 }).connectionLimit).toBe(
      4 * 4 + 2,
    );
  });

  it('uses the default pool when the plan names none, and never one too small to start Odoo', () => {
    expect(tenantSizing({ workers: 0, memoryMb: 1024 }).dbMaxconn).toBe(DEFAULT_DB_MAXCONN);
    expect(tenantSizing({ workers: 0, memoryMb: 1024, dbMaxconn: 1 }).dbMaxconn).toBe(3);
  });

  it('turns the sizing into Odoo options and the HTTP thread cap', () => {
    const { args, env } = sizingArgs(tenantSizing({ workers: 0, memoryMb: 1024, dbMaxconn: 6 }), 0);
    expect(args).toContain('--db_maxconn=6');
    expect(args).toContain('--max-cron-threads=1');
    expect(args.some((a) => a.startsWith('--workers'))).toBe(false);
    // the report renderer's JIT reservation fits under limit_memory_hard (tenant-locale-mail shows the PDF)
    expect(env).toEqual(['ODOO_MAX_HTTP_THREADS=2', 'JSC_jitMemoryReservationSize=67108864']);
    expect(sizingArgs(tenantSizing({ workers: 3, memoryMb: 1024 }), 3).args[0]).toBe('--workers=3');
  });
});
