import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addonVersion } from '../../../src/adapters/addon-manifest.js';

const dirs: string[] = [];
async function addonWith(manifest: string | undefined): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'addon-'));
  dirs.push(dir);
  if (manifest !== undefined) await writeFile(path.join(dir, '__manifest__.py'), manifest);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('addonVersion', () => {
  it('reads the version of the repository saas_tenant as Odoo records it', async () => {
    expect(await addonVersion(path.resolve('odoo-addons/saas_tenant'))).toMatch(
      /^17\.0\.\d+\.\d+\.\d+$/,
    );
  });

  it('puts the series in front of a short version, like Odoo', async () => {
    const dir = await addonWith(`{\n    'name': 'X',\n    'version': '1.3.0',\n}\n`);
    expect(await addonVersion(dir)).toBe('17.0.1.3.0');
  });

  it('refuses a manifest without a version, and a missing one, naming the file', async () => {
    await expect(addonVersion(await addonWith('{"name": "X"}'))).rejects.toThrow(
      /declares no version/,
    );
    await expect(addonVersion(await addonWith(undefined))).rejects.toThrow(/__manifest__\.py/);
  });
});
