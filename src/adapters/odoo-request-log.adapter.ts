import Docker from 'dockerode';
import { BridgeError } from '../errors.js';
import type { ActivityPort, TenantActivity } from '../ports/activity.port.js';
import { demuxLogs } from './docker.adapter.js';

/** the newest lines are enough: the idle decision only asks for the last request */
const MAX_LINES = 500;

/**
 * Odoo's request log line (werkzeug, INFO, on by default in tenants), behind Docker's own timestamp:
 * `2026-12-02T05:40:01.123456789Z 2026-12-02 05:40:01,123 7 INFO tenant_x werkzeug: 172.20.0.1 - -
 * [02/Dec/2026 05:40:01] "GET /web/login HTTP/1.1" 200 - 3 0.002 0.010`
 */
const REQUEST_LINE = /^(\S+) .* werkzeug: .*"[A-Z]+ (\S+) HTTP\/[\d.]+" \d{3}/;

/**
 * Paths that are no visitor's doing: an open tab's websocket (bus) reconnects by itself and keeps a
 * forgotten browser tab from ever counting as idle.
 */
const NOT_A_VISIT = /^\/websocket(\/|\?|$)/;

/** The newest visitor request in a Docker log read with timestamps, or undefined. */
export function lastVisitorRequest(log: string): Date | undefined {
  let last: Date | undefined;
  for (const line of log.split('\n')) {
    const match = REQUEST_LINE.exec(line);
    if (!match?.[1] || !match[2] || NOT_A_VISIT.test(match[2])) continue;
    const at = new Date(match[1]);
    if (!Number.isNaN(at.getTime()) && (!last || at > last)) last = at;
  }
  return last;
}

/**
 * A tenant's activity from its Odoo's request log, through the Docker engine: one inspect and one
 * log read (only the lines since the idle window opened) per tenant and scan.
 */
export class OdooRequestLogAdapter implements ActivityPort {
  private readonly docker: Docker;

  constructor(socketPath: string) {
    this.docker = new Docker({ socketPath });
  }

  async activity(name: string, since: Date): Promise<TenantActivity | undefined> {
    const container = this.docker.getContainer(name);
    let state: { Running?: boolean; StartedAt?: string };
    try {
      state = ((await container.inspect()) as { State: typeof state }).State;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw new BridgeError('docker_failed', `docker inspect ${name}: ${String(err)}`, false, {
        cause: err,
      });
    }
    if (!state.Running || !state.StartedAt)
      return { startedAt: undefined, lastRequestAt: undefined };
    let raw: unknown;
    try {
      raw = await container.logs({
        stdout: true,
        stderr: true,
        follow: false,
        timestamps: true,
        since: Math.floor(since.getTime() / 1000),
        tail: MAX_LINES,
      });
    } catch (err) {
      throw new BridgeError('docker_failed', `docker logs of ${name}: ${String(err)}`, false, {
        cause: err,
      });
    }
    const log = demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    return { startedAt: new Date(state.StartedAt), lastRequestAt: lastVisitorRequest(log) };
  }
}
