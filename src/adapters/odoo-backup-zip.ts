import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { BackupRepositoryPort } from '../ports/backup.port.js';
import {
  DUMP_FILE,
  MANIFEST_FILE,
  type BackupService,
  type BackupSet,
} from '../services/backup.service.js';
import { ZipWriter } from './zip-writer.js';

/**
 * Writes a backup as the zip Odoo's database manager makes and restores: dump.sql, filestore/...
 * and manifest.json. The dump streams from restic; the filestore is restored into a scratch
 * directory first (restic 0.14 streams one file or a tar, not a directory into our zip).
 */
export async function writeOdooBackupZip(
  out: Writable,
  backups: BackupService,
  repository: BackupRepositoryPort,
  key: string,
  set: BackupSet,
  workDir: string = tmpdir(),
): Promise<void> {
  const zip = new ZipWriter(out);
  const manifest = await backups.manifest(key, set);
  if (manifest)
    await zip.add({ name: MANIFEST_FILE, content: Buffer.from(JSON.stringify(manifest, null, 4)) });
  await zip.add({
    name: DUMP_FILE,
    content: repository.readFile(key, set.database!.id, DUMP_FILE),
  });
  if (set.filestore) {
    const scratch = await mkdtemp(path.join(workDir, 'saas-download-'));
    try {
      const files = path.join(scratch, 'filestore');
      await repository.restoreDirectory(key, set.filestore.id, files);
      for (const entry of await readdir(files, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const full = path.join(entry.parentPath, entry.name);
        const name = `filestore/${path.relative(files, full).split(path.sep).join('/')}`;
        await zip.add({ name, content: createReadStream(full) });
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  await zip.finish();
}
