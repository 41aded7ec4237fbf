import { jsonRpc } from './http.js';
import type { Journey } from './journey.js';

/** JSON-RPC on the tenant as the customer (through Caddy, as their own scripts would) */
export async function asCustomer<T>(j: Journey, model: string, method: string, args: unknown[]) {
  if (!j.welcome || !j.instance?.db_name)
    throw new Error('no tenant credentials from the purchase');
  const { login, password } = j.welcome;
  const uid = await jsonRpc<number | false>(j.tenantUrl, 'common', 'authenticate', [
    j.instance.db_name,
    login,
    password,
    {},
  ]);
  if (!uid) throw new Error(`the tenant refuses ${login}`);
  return jsonRpc<T>(j.tenantUrl, 'object', 'execute_kw', [
    j.instance.db_name,
    uid,
    password,
    model,
    method,
    args,
  ]);
}
