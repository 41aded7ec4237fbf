/** What the bench reads besides the HTTP answers: mails in the sink, the bridge's log, RSS, connections. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** arrival time (ms epoch, from the sink's file name) of the first mail to `email` after `since` */
export function mailArrival(mailDir: string, email: string, since: number): number | undefined {
  let files: string[];
  try {
    files = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
  } catch {
    return undefined;
  }
  const needle = email.toLowerCase();
  for (const file of files.sort()) {
    const at = Number(file.split('-')[0]);
    if (!Number.isFinite(at) || at < since) continue;
    const head = readFileSync(path.join(mailDir, file), 'utf8').slice(0, 4000).toLowerCase();
    if (head.includes(needle)) return at;
  }
  return undefined;
}

/** the bridge's per-step milliseconds for the tenant of `subdomain` (its "instance running" log line) */
export function stepsOf(bridgeLog: string, subdomain: string): Record<string, number> | undefined {
  for (const line of readFileSync(bridgeLog, 'utf8').split('\n').reverse()) {
    if (!line.includes('"instance running"') || !line.includes(`"${subdomain}"`)) continue;
    try {
      const entry = JSON.parse(line) as { subdomain?: string; stepsMs?: Record<string, number> };
      if (entry.subdomain === subdomain && entry.stepsMs) return entry.stepsMs;
    } catch {
      // a line cut by log rotation: not this one
    }
  }
  return undefined;
}

/** resident memory of a process in MiB (Linux /proc), or undefined when it is gone */
export function rssMib(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** client connections PostgreSQL holds now, all databases */
export async function pgConnections(adminUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'",
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** a container's memory use in MiB as `docker stats` reports it */
export async function containerMib(docker: string, container: string): Promise<number> {
  const { stdout } = await run(docker, [
    'stats',
    '--no-stream',
    '--format',
    '{{.MemUsage}}',
    container,
  ]);
  const m = /([\d.]+)\s*(KiB|MiB|GiB)/.exec(stdout);
  if (!m?.[1]) throw new Error(`docker stats ${container}: unreadable "${stdout.trim()}"`);
  const factor = { KiB: 1 / 1024, MiB: 1, GiB: 1024 }[m[2] as 'KiB' | 'MiB' | 'GiB'];
  return Number(m[1]) * factor;
}

/** samples `probe` every `everyMs` until stopped; returns the peak seen */
export function peakOf(probe: () => Promise<number | undefined>, everyMs = 500) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const v = await probe().catch(() => undefined);
      if (v !== undefined && v > peak) peak = v;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop(): Promise<number> {
      running = false;
      await loop;
      return peak;
    },
  };
}
