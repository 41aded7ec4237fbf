/**
 * The customer's own backups, in the browser, after the purchase: the portal lists a backup, its
 * Download gives a standard Odoo backup zip (dump.sql + filestore + manifest.json), and Roll back,
 * after the confirmation page, brings the tenant back to it: a record made after the backup is
 * gone, one made before it is there, and the tenant answers. Two steps of run.ts.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { clickAndWaitFor, pathOf } from './browser.js';
import { pollUntil } from './http.js';
import type { Journey } from './journey.js';
import { asCustomer } from './tenant-rpc.js';
import { masterUrl } from './support/stack.js';

const run = promisify(execFile);
const stamp = Date.now().toString(36);
const BEFORE = `E2E made before the backup ${stamp}`;
const AFTER = `E2E made after the backup ${stamp}`;

interface BackupRow {
  id: number;
  state: string;
  kind: string;
  error: string | false;
  snapshot_id: string | false;
}

/** what the download and the roll back share */
const state: { backupId?: number } = {};

const partnersNamed = (j: Journey, name: string) =>
  asCustomer<number>(j, 'res.partner', 'search_count', [[['name', '=', name]]]);

async function waitForBackup(j: Journey, kind: string, timeoutMs: number): Promise<BackupRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await j.master.execute<BackupRow[]>(
      'saas.backup',
      'search_read',
      [
        [
          ['instance_id', '=', j.instance!.id],
          ['kind', '=', kind],
        ],
      ],
      { fields: ['state', 'kind', 'error', 'snapshot_id'], order: 'id desc', limit: 1 },
    );
    if (row?.state === 'done') return row;
    if (Date.now() > deadline)
      throw new Error(
        `no finished ${kind} backup within ${timeoutMs / 1000} s (last: ${row ? `${row.state} ${row.error || ''}` : 'none'})`,
      );
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** a record, a backup (the admin's Backup now), a record after it; then the portal's Download */
export async function portalBackupDownload(j: Journey): Promise<string> {
  if (!j.instance) throw new Error('no instance from the previous steps');
  await asCustomer(j, 'res.partner', 'create', [{ name: BEFORE }]);
  const asked = Date.now();
  await j.master.execute('saas.instance', 'action_backup_now', [[j.instance.id]]);
  const backup = await waitForBackup(j, 'manual', 180_000);
  const backupS = (Date.now() - asked) / 1000;
  state.backupId = backup.id;
  await asCustomer(j, 'res.partner', 'create', [{ name: AFTER }]);

  const page = j.steps.show(j.page);
  await page.goto(`${masterUrl}/my/instances/${j.instance.id}`);
  const row = page.locator(`.o_saas_backup_list tr[data-backup-id="${backup.id}"]`);
  await row.waitFor({ state: 'visible' });
  await j.steps.snap(page, 'backups-listed');
  const started = Date.now();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    row.locator('a.o_saas_backup_download').click(),
  ]);
  const file = await download.path();
  const downloadS = (Date.now() - started) / 1000;
  const { size } = await stat(file);
  const check = await zipContents(file, BEFORE, AFTER);
  if (!check.names.includes('dump.sql') || !check.names.includes('manifest.json'))
    throw new Error(
      `the zip holds ${check.names.slice(0, 10).join(', ')}: no dump.sql/manifest.json`,
    );
  const files = check.names.filter((n) => n.startsWith('filestore/') && !n.endsWith('/'));
  if (files.length === 0) throw new Error('the zip has no filestore/ files');
  if (check.manifest.db_name !== j.instance.db_name)
    throw new Error(`manifest.json names ${check.manifest.db_name}, not ${j.instance.db_name}`);
  if (!check.hasBefore || check.hasAfter)
    throw new Error(
      `dump.sql should hold the record made before the backup only (before ${check.hasBefore}, after ${check.hasAfter})`,
    );
  return (
    `backup now -> done in ${backupS.toFixed(1)} s; ${download.suggestedFilename()} ` +
    `(${(size / 1024 / 1024).toFixed(1)} MB) downloaded in ${downloadS.toFixed(1)} s: dump.sql, ` +
    `${files.length} filestore files, manifest.json (odoo ${check.manifest.version})`
  );
}

/** Roll back from the portal, after its confirmation page; the tenant is back as in the backup */
export async function portalRollBack(j: Journey): Promise<string> {
  if (!j.instance || !state.backupId) throw new Error('no backup from the previous step');
  const page = j.steps.show(j.page);
  if (pathOf(page) !== `/my/instances/${j.instance.id}`)
    await page.goto(`${masterUrl}/my/instances/${j.instance.id}`);
  const row = page.locator(`.o_saas_backup_list tr[data-backup-id="${state.backupId}"]`);
  await clickAndWaitFor(page, row.locator('a.o_saas_backup_restore'), (u) =>
    u.pathname.endsWith('/restore'),
  );
  await page.locator('.o_saas_restore_confirm').waitFor({ state: 'visible' });
  const warning = await page.locator('.o_saas_restore_confirm .alert-warning').innerText();
  if (!/will be lost/.test(warning))
    throw new Error(`the confirmation does not say what is lost: "${warning}"`);
  await j.steps.snap(page, 'roll-back-confirm');
  if ((await partnersNamed(j, AFTER)) !== 1) throw new Error('the record made after is missing');
  const started = Date.now();
  await clickAndWaitFor(page, 'button.o_saas_restore_submit', (u) =>
    u.search.includes('restore=requested'),
  );
  let after = -1;
  for (const deadline = Date.now() + 240_000; Date.now() < deadline;) {
    after = await partnersNamed(j, AFTER).catch(() => -1);
    if (after === 0) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  if (after !== 0) throw new Error('the record made after the backup is still there after 240 s');
  await pollUntil(`${j.tenantUrl}/web/login`, 200, 60_000);
  const seconds = (Date.now() - started) / 1000;
  const before = await partnersNamed(j, BEFORE);
  if (before !== 1) throw new Error(`the record made before the backup is gone (${before})`);
  const safety = await waitForBackup(j, 'before-restore', 30_000);
  await page.goto(`${masterUrl}/my/instances/${j.instance.id}`);
  return (
    `confirmed -> rolled back and answering in ${seconds.toFixed(1)} s: the record made after ` +
    `is gone, the one before is there; before-restore backup ${safety.snapshot_id}`
  );
}

/** the zip's entries, its manifest, and whether dump.sql holds each name (Python's zipfile) */
async function zipContents(file: string, before: string, after: string) {
  const script = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
dump = z.read("dump.sql") if "dump.sql" in z.namelist() else b""
print(json.dumps({"names": z.namelist(),
  "manifest": json.loads(z.read("manifest.json")) if "manifest.json" in z.namelist() else {},
  "hasBefore": sys.argv[2].encode() in dump, "hasAfter": sys.argv[3].encode() in dump}))`;
  const { stdout } = await run('python3', ['-c', script, file, before, after], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as {
    names: string[];
    manifest: { db_name?: string; version?: string };
    hasBefore: boolean;
    hasAfter: boolean;
  };
}
