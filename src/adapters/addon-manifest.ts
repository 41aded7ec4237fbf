import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BridgeError } from '../errors.js';

/**
 * The version an addon's `__manifest__.py` declares, as Odoo records it once installed
 * (ir_module_module.latest_version: a version without the series gets Odoo's "17.0." in front).
 * Read with a pattern, not Python: the manifest is a literal dict and its "version" one line.
 */
export async function addonVersion(addonDir: string, series = '17.0'): Promise<string> {
  const file = path.join(addonDir, '__manifest__.py');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BridgeError('internal', `cannot read ${file}: ${(err as Error).message}`, true);
  }
  const match = /["']version["']\s*:\s*["']([0-9A-Za-z.+_-]{1,64})["']/.exec(text);
  if (!match?.[1]) throw new BridgeError('internal', `${file} declares no version`, true);
  const version = match[1];
  return version.startsWith(`${series}.`) || version === series ? version : `${series}.${version}`;
}
