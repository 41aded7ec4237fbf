/** JSON-RPC to the e2e master as its admin: what a back-office user would click, done by a test. */
export class MasterRpc {
  private uid: number | undefined;

  constructor(
    private readonly url: string,
    private readonly db: string,
    private readonly login: string,
    private readonly password: string,
  ) {}

  private async call(service: string, method: string, args: unknown[]): Promise<unknown> {
    const response = await fetch(`${this.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'call',
        params: { service, method, args },
        id: 1,
      }),
    });
    const body = (await response.json()) as {
      result?: unknown;
      error?: { data?: { message?: string } };
    };
    if (body.error)
      throw new Error(
        `${service}.${method}: ${body.error.data?.message ?? JSON.stringify(body.error)}`,
      );
    return body.result;
  }

  async execute<T = unknown>(
    model: string,
    method: string,
    args: unknown[],
    kwargs: object = {},
  ): Promise<T> {
    this.uid ??= (await this.call('common', 'authenticate', [
      this.db,
      this.login,
      this.password,
      {},
    ])) as number;
    if (!this.uid) throw new Error(`master refused ${this.login}`);
    return (await this.call('object', 'execute_kw', [
      this.db,
      this.uid,
      this.password,
      model,
      method,
      args,
      kwargs,
    ])) as T;
  }

  async searchRead<T>(model: string, domain: unknown[], fields: string[]): Promise<T[]> {
    return this.execute<T[]>(model, 'search_read', [domain], { fields });
  }
}
