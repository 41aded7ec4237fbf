/** The secrets the suite used must appear nowhere in its logs, its stack's logs, job data or Redis. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { E2E, dotenv } from '../e2e/support/stack.js';
import { ownRedisUrl } from './redis.js';

const SECRET_VARS = [
  'BRIDGE_SHARED_SECRET',
  'TENANT_BRIDGE_SECRET',
  'ODOO_PASSWORD',
  'PG_TEMPLATE_PASSWORD',
  'BULL_BOARD_PASSWORD',
  'MASTER_ADMIN_PASSWORD',
  'ODOO_MASTER_DB_PASSWORD',
  'RESTIC_PASSWORD',
  'REDIS_PASSWORD',
];

export function secretsInUse(extra: string[]): Map<string, string> {
  const env = dotenv();
  const found = new Map<string, string>();
  for (const name of SECRET_VARS) if ((env[name] ?? '').length >= 8) found.set(name, env[name]!);
  const pg = /:\/\/[^:]+:([^@]+)@/.exec(env.PG_ADMIN_URL ?? '')?.[1];
  if (pg && pg.length >= 8) found.set('PG_ADMIN_URL password', decodeURIComponent(pg));
  extra.forEach((s, i) => s.length >= 8 && found.set(`customer password ${i + 1}`, s));
  return found;
}

/** where each secret was found; empty when none leaked */
export async function leaks(secrets: Map<string, string>, ownLog: string): Promise<string[]> {
  const places: [string, string][] = [['suite output', ownLog]];
  const logs = path.join(E2E.stackDir, 'logs');
  for (const file of readdirSync(logs))
    places.push([`log ${file}`, readFileSync(path.join(logs, file), 'utf8')]);
  const redis = new Redis(ownRedisUrl, { lazyConnect: true });
  await redis.connect();
  let dump = '';
  for await (const keys of redis.scanStream({ count: 500 }) as AsyncIterable<string[]>) {
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') dump += `${await redis.get(key)}\n`;
      else if (type === 'hash') dump += `${JSON.stringify(await redis.hgetall(key))}\n`;
      else if (type === 'list') dump += `${(await redis.lrange(key, 0, -1)).join('\n')}\n`;
      else if (type === 'zset') dump += `${(await redis.zrange(key, '0', '-1')).join('\n')}\n`;
      else if (type === 'set') dump += `${(await redis.smembers(key)).join('\n')}\n`;
      else if (type === 'stream') dump += `${JSON.stringify(await redis.xrange(key, '-', '+'))}\n`;
      dump += `${key}\n`;
    }
  }
  await redis.quit();
  places.push([`Redis db ${E2E.redisDb} (job data, events, locks)`, dump]);
  const found: string[] = [];
  for (const [name, secret] of secrets)
    for (const [where, text] of places)
      if (text.includes(secret)) found.push(`${name} in ${where}`);
  return found;
}
