import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ADDONS = path.resolve(import.meta.dirname, '../../../odoo-addons');

/** the msgids of a .po/.pot file, multi-line ones joined; the header's empty msgid left out */
function msgids(file: string): Set<string> {
  const ids = new Set<string>();
  let current: string | undefined;
  const flush = () => {
    if (current) ids.add(current);
    current = undefined;
  };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const start = /^msgid "(.*)"$/.exec(line);
    if (start) {
      flush();
      current = start[1] ?? '';
      continue;
    }
    const more = /^"(.*)"$/.exec(line);
    if (more && current !== undefined) current += more[1] ?? '';
    else flush();
  }
  flush();
  return ids;
}

describe('Odoo translations', () => {
  // Odoo's PO reader merges the module's .pot into its .po and skips every entry the .pot lacks
  // (polib marks it obsolete): a Spanish translation missing from the .pot never reaches Odoo
  it.each(['saas_master', 'saas_tenant'])('%s: every msgid of es.po is in the .pot', (addon) => {
    const po = msgids(path.join(ADDONS, addon, 'i18n', 'es.po'));
    const pot = msgids(path.join(ADDONS, addon, 'i18n', `${addon}.pot`));
    expect(po.size).toBeGreaterThan(10);
    expect([...po].filter((id) => !pot.has(id))).toEqual([]);
  });
});
