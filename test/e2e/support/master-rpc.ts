/** JSON-RPC to the e2e master as its admin: what a back-office user would click, done by a test. */
import { jsonRpc } from '../http.js';

export class MasterRpc {
  private uid: number | undefined;

  constructor(
    private readonly url: string,
    private readonly db: string,
    private readonly login: string,
    private readonly password: string,
  ) {}

  async execute<T = unknown>(
    model: string,
    method: string,
    args: unknown[],
    kwargs: object = {},
  ): Promise<T> {
    this.uid ??=
      (await jsonRpc<number | false>(this.url, 'common', 'authenticate', [
        this.db,
        this.login,
        this.password,
        {},
      ])) || undefined;
    if (!this.uid) throw new Error(`master refused ${this.login}`);
    return jsonRpc<T>(this.url, 'object', 'execute_kw', [
      this.db,
      this.uid,
      this.password,
      model,
      method,
      args,
      kwargs,
    ]);
  }

  async searchRead<T>(model: string, domain: unknown[], fields: string[]): Promise<T[]> {
    return this.execute<T[]>(model, 'search_read', [domain], { fields });
  }
}
