import { BridgeError } from '../errors.js';

/** An Odoo server answered with a fault (access error, validation error, missing record...). */
export class OdooFaultError extends BridgeError {
  override name = 'OdooFaultError';
  constructor(
    /** Odoo's exception class, e.g. odoo.exceptions.AccessError */
    readonly faultName: string,
    message: string,
  ) {
    super('odoo_fault', message, isPermanentFault(faultName));
  }
}

function isPermanentFault(faultName: string): boolean {
  return /AccessError|AccessDenied|ValidationError|UserError|MissingError/.test(faultName);
}

export interface OdooClientOptions {
  url: string;
  db: string;
  login: string;
  password: string;
  timeoutMs: number;
  /** known user id: skips authenticate, one password check fewer on the server */
  uid?: number;
}

interface RpcResponse {
  result?: unknown;
  error?: { message?: string; data?: { name?: string; message?: string } };
}

let nextId = 1;

/**
 * Minimal typed JSON-RPC client for Odoo's /jsonrpc endpoint (the only code that speaks HTTP to any
 * Odoo, master or tenant). Stateless: every call carries the password or API key, so no session expires.
 */
export class OdooClient {
  private uid: number | undefined;

  constructor(private readonly options: OdooClientOptions) {
    this.uid = options.uid;
  }

  get baseUrl(): string {
    return this.options.url;
  }

  /** Odoo's version info; needs no credentials. */
  async version(): Promise<{ server_version: string }> {
    const result = await this.rpc('common', 'version', []);
    if (!result || typeof result !== 'object' || !('server_version' in result)) {
      throw new BridgeError('odoo_bad_answer', `Odoo at ${this.options.url} gave no version`);
    }
    return result as { server_version: string };
  }

  async authenticate(): Promise<number> {
    if (this.uid !== undefined) return this.uid;
    const { db, login, password } = this.options;
    const uid = await this.rpc('common', 'authenticate', [db, login, password, {}]);
    if (typeof uid !== 'number' || uid <= 0) {
      throw new OdooFaultError(
        'odoo.exceptions.AccessDenied',
        `Odoo refused login "${login}" on database "${db}" at ${this.options.url}`,
      );
    }
    this.uid = uid;
    return uid;
  }

  async executeKw(
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown> = {},
  ): Promise<unknown> {
    const uid = await this.authenticate();
    const { db, password } = this.options;
    return this.rpc('object', 'execute_kw', [db, uid, password, model, method, args, kwargs]);
  }

  private async rpc(service: string, method: string, args: unknown[]): Promise<unknown> {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      params: { service, method, args },
      id: nextId++,
    });
    let response: Response;
    try {
      response = await fetch(`${this.options.url}/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw new BridgeError(
        'odoo_unreachable',
        `Odoo at ${this.options.url} unreachable: ${describe(err)}`,
        false,
        {
          cause: err,
        },
      );
    }
    if (!response.ok) {
      throw new BridgeError(
        'odoo_unreachable',
        `Odoo at ${this.options.url} answered HTTP ${response.status}`,
      );
    }
    let payload: RpcResponse;
    try {
      payload = (await response.json()) as RpcResponse;
    } catch (err) {
      throw new BridgeError(
        'odoo_bad_answer',
        `Odoo at ${this.options.url} sent invalid JSON`,
        false,
        { cause: err },
      );
    }
    if (payload.error) {
      const name = payload.error.data?.name ?? 'odoo.exceptions.UnknownError';
      const message = payload.error.data?.message ?? payload.error.message ?? 'unknown Odoo error';
      throw new OdooFaultError(name, `${service}.${method}: ${message}`);
    }
    return payload.result;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? err.message;
  }
  return String(err);
}

/** HTTP status of a GET on an Odoo page (e.g. /web/login), or undefined when nothing answers. */
export async function odooPageStatus(url: string, timeoutMs: number): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}
