import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Hash of every file of an addon (and of Odoo's release.py when an Odoo tree is mounted): templates follow it. */
export async function addonFingerprint(
  addonDir: string,
  odooSrc: string | undefined,
): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(addonDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.pyc'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) {
    hash.update(path.relative(addonDir, file));
    hash.update(await readFile(file));
  }
  if (odooSrc) hash.update(await readFile(path.join(odooSrc, 'odoo', 'release.py')));
  return hash.digest('hex').slice(0, 16);
}
