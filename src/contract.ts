import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The rules the bridge shares with the master addon, read from the one JSON file both use.
 * It lives inside saas_master (not at the top of the repository) because the master's Odoo
 * container mounts only odoo-addons/; the bridge image copies that one file (Dockerfile).
 * src/contract.ts and dist/contract.js sit at the same depth, so one relative path serves both.
 */
export const CONTRACT_FILE = fileURLToPath(
  new URL('../odoo-addons/saas_master/contract/saas_contract.json', import.meta.url),
);

const names = z.array(z.string().min(1)).min(1);

const contractSchema = z.object({
  subdomain: z.object({
    pattern: z.string().min(1),
    min_length: z.number().int().positive(),
    max_length: z.number().int().positive(),
    reserved: names,
    reserved_prefixes: z.array(z.string().min(1)),
  }),
  instance_states: names,
  /**
   * boolean facts of saas.instance the bridge writes that are not states (a sleeping instance is
   * running for the subscription: hibernation, docs/hibernation.md)
   */
  instance_flags: names,
  /** event type -> the keys its `data` must carry */
  event_types: z.record(z.string().min(1), names),
});

export type Contract = z.infer<typeof contractSchema>;

function loadContract(file: string): Contract {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the contract ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = contractSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`the contract ${file} is malformed: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export const CONTRACT: Contract = loadContract(CONTRACT_FILE);

/**
 * Some contract lists are also types the compiler must know (a discriminated union, a Record
 * per state), so the code spells them out; this makes sure the spelling equals the contract,
 * at import, so a bridge that disagrees with the master never starts.
 */
export function sameAsContract<const T extends readonly string[]>(
  what: string,
  code: T,
  contract: readonly string[],
): T {
  const ours = [...code].sort();
  const theirs = [...contract].sort();
  if (ours.length !== theirs.length || ours.some((name, i) => name !== theirs[i])) {
    throw new Error(
      `${what} of the bridge [${ours.join(', ')}] differ from ${CONTRACT_FILE} [${theirs.join(', ')}]`,
    );
  }
  return code;
}
