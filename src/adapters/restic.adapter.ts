import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { z } from 'zod';
import { BridgeError } from '../errors.js';
import type { BackupRepositoryPort, Snapshot, SnapshotResult } from '../ports/backup.port.js';
import { failureText, outcome, start } from './child-process.js';

export interface ResticOptions {
  /** restic repository location; each key gets `<base>/<key>` (local path, s3:..., sftp:...) */
  repositoryBase: string;
  password: string;
  /** storage credentials restic reads from its environment (AWS_*, ...) */
  storageEnv: Record<string, string>;
  /** hostname recorded in snapshots, so every bridge replica writes the same one */
  host: string;
  binary?: string;
}

const KEY = /^[a-z_][a-z0-9_]{0,62}$/;
const TAG_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

const snapshotRow = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  short_id: z.string(),
  time: z.string(),
  paths: z.array(z.string()).default([]),
  tags: z.array(z.string()).nullish(),
});

const summaryRow = z.object({
  message_type: z.literal('summary'),
  snapshot_id: z.string(),
  total_bytes_processed: z.number(),
  data_added: z.number(),
});

function fail(action: string, why: string, permanent = false): never {
  throw new BridgeError('backup_failed', `restic ${action}: ${why}`, permanent);
}

function tagArgs(tags: Record<string, string>): string[] {
  return Object.entries(tags).flatMap(([name, value]) => {
    if (!/^[a-z_]+$/.test(name) || !TAG_VALUE.test(value))
      fail('tag', `refusing tag ${name}=${value}`, true);
    return ['--tag', `${name}=${value}`];
  });
}

function parseTags(tags: string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) {
    const at = tag.indexOf('=');
    if (at > 0) out[tag.slice(0, at)] = tag.slice(at + 1);
  }
  return out;
}

/**
 * The only code that runs restic: one repository per key under a base location. The password and
 * storage credentials go to restic through its environment, never through arguments or logs.
 */
export class ResticAdapter implements BackupRepositoryPort {
  private readonly binary: string;
  /** repositories seen to exist: each restic start costs a key derivation, skip the probe */
  private readonly known = new Set<string>();

  constructor(private readonly options: ResticOptions) {
    this.binary = options.binary ?? 'restic';
    if (!options.password)
      throw new BridgeError('backup_failed', 'RESTIC_PASSWORD is not set', true);
  }

  repositoryOf(key: string): string {
    if (!KEY.test(key)) fail('repository', `refusing unsafe repository name "${key}"`, true);
    return `${this.options.repositoryBase.replace(/\/+$/, '')}/${key}`;
  }

  async ensureRepository(key: string): Promise<void> {
    if (this.known.has(key)) return;
    const probe = await this.exec(key, ['cat', 'config']);
    if (probe.code === 0) {
      this.known.add(key);
      return;
    }
    if (this.isLocal()) await mkdir(this.options.repositoryBase, { recursive: true });
    const init = await this.exec(key, ['init']);
    // a concurrent init of the same repository won the race: that is fine too
    if (init.code !== 0 && !/already (exists|initialized)/i.test(init.stderr))
      fail(`init ${key}`, failureText(init));
    this.known.add(key);
  }

  async backupStream(
    key: string,
    source: Readable,
    filename: string,
    tags: Record<string, string>,
  ): Promise<SnapshotResult> {
    const args = ['backup', '--stdin', '--stdin-filename', filename, ...this.snapshotArgs(tags)];
    const child = start(this.binary, args, { env: this.env(key), stdio: ['pipe', 'pipe', 'pipe'] });
    let sourceError: unknown;
    // an error of the source must never end restic's stdin normally: that would commit a truncated
    // file as a good snapshot. Killing restic first leaves no snapshot at all.
    source.once('error', (err) => {
      sourceError = err;
      child.kill('SIGKILL');
    });
    child.stdin?.on('error', () => undefined); // EPIPE when restic stops early; its exit says why
    source.pipe(child.stdin!);
    const result = await outcome(child);
    if (sourceError !== undefined) {
      const why = sourceError instanceof Error ? sourceError.message : String(sourceError);
      fail(`backup of ${filename} into ${key}`, `source failed: ${why}`);
    }
    if (result.code !== 0) {
      source.destroy();
      fail(`backup of ${filename} into ${key}`, failureText(result));
    }
    return this.summary(result.stdout, `backup of ${filename} into ${key}`);
  }

  async backupDirectory(
    key: string,
    dir: string,
    tags: Record<string, string>,
  ): Promise<SnapshotResult | undefined> {
    const absolute = path.resolve(dir);
    const isDir = await stat(absolute).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) return undefined;
    const result = await this.exec(key, ['backup', absolute, ...this.snapshotArgs(tags)]);
    if (result.code !== 0) fail(`backup of ${absolute} into ${key}`, failureText(result));
    return this.summary(result.stdout, `backup of ${absolute} into ${key}`);
  }

  async snapshots(key: string): Promise<Snapshot[]> {
    const result = await this.exec(key, ['snapshots', '--json']);
    if (result.code !== 0) {
      if (/does not exist|unable to open config/i.test(result.stderr)) return [];
      fail(`snapshots of ${key}`, failureText(result));
    }
    const parsed = z.array(snapshotRow).safeParse(JSON.parse(result.stdout || '[]'));
    if (!parsed.success) fail(`snapshots of ${key}`, 'unexpected JSON from restic');
    return parsed.data.map((row) => ({
      id: row.id,
      shortId: row.short_id,
      time: row.time,
      paths: row.paths,
      tags: parseTags(row.tags),
    }));
  }

  async forget(key: string, snapshotIds: string[]): Promise<void> {
    if (snapshotIds.length === 0) return;
    for (const id of snapshotIds) if (!/^[0-9a-f]{8,64}$/.test(id)) fail('forget', `bad id ${id}`);
    const result = await this.exec(key, ['forget', '--prune', ...snapshotIds]);
    if (result.code !== 0) fail(`forget in ${key}`, failureText(result));
  }

  async check(key: string, readData: string | undefined): Promise<void> {
    const args = ['check', ...(readData ? [`--read-data-subset=${readData}`] : [])];
    const result = await this.exec(key, args);
    if (result.code !== 0) {
      throw new BridgeError(
        'backup_corrupt',
        `restic check of ${key} found problems: ${failureText(result)}`,
        true,
      );
    }
  }

  readFile(key: string, snapshotId: string, filename: string): Readable {
    const out = new PassThrough();
    const child = start(this.binary, ['dump', snapshotId, `/${filename}`], {
      env: this.env(key),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // like pg_dump's stream: the reader sees the end only after restic said it read everything
    child.stdout?.pipe(out, { end: false });
    void outcome(child, false).then((result) => {
      if (result.code === 0) out.end();
      else out.destroy(new BridgeError('backup_failed', `restic dump: ${failureText(result)}`));
    });
    out.once('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return out;
  }

  async restoreDirectory(key: string, snapshotId: string, target: string): Promise<void> {
    const snapshot = (await this.snapshots(key)).find(
      (s) => s.id === snapshotId || s.id.startsWith(snapshotId),
    );
    const source = snapshot?.paths[0];
    if (!snapshot || !source)
      throw new BridgeError('backup_not_found', `no snapshot ${snapshotId} in ${key}`, true);
    const absolute = path.resolve(target);
    const staging = `${absolute}.restore-${randomBytes(4).toString('hex')}`;
    await mkdir(staging, { recursive: true });
    try {
      // restic recreates the snapshot's absolute path under the target, with owners and modes
      const result = await this.exec(key, ['restore', snapshot.id, '--target', staging]);
      if (result.code !== 0) fail(`restore of ${snapshotId} from ${key}`, failureText(result));
      const old = `${absolute}.old-${randomBytes(4).toString('hex')}`;
      const hadTarget = await stat(absolute).then(
        () => true,
        () => false,
      );
      await mkdir(path.dirname(absolute), { recursive: true });
      if (hadTarget) await rename(absolute, old);
      await rename(path.join(staging, source), absolute);
      if (hadTarget) await rm(old, { recursive: true, force: true });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async removeRepository(key: string): Promise<void> {
    const repository = this.repositoryOf(key);
    this.known.delete(key);
    if (this.isLocal()) {
      await rm(repository, { recursive: true, force: true });
      return;
    }
    // remote storage: restic cannot delete its own repository; forget everything and prune
    const ids = (await this.snapshots(key)).map((s) => s.id);
    await this.forget(key, ids);
  }

  async sizeBytes(key: string): Promise<number> {
    if (this.isLocal()) {
      const result = await outcome(start('du', ['-sb', this.repositoryOf(key)], {}));
      return Number(result.stdout.split('\t')[0]) || 0;
    }
    const result = await this.exec(key, ['stats', '--mode', 'raw-data', '--json']);
    if (result.code !== 0) fail(`stats of ${key}`, failureText(result));
    return Number((JSON.parse(result.stdout) as { total_size?: number }).total_size ?? 0);
  }

  private snapshotArgs(tags: Record<string, string>): string[] {
    return ['--json', '--quiet', '--host', this.options.host, ...tagArgs(tags)];
  }

  private summary(stdout: string, action: string): SnapshotResult {
    for (const line of stdout.trim().split('\n').reverse()) {
      const parsed = summaryRow.safeParse(safeJson(line));
      if (parsed.success) {
        return {
          snapshotId: parsed.data.snapshot_id,
          bytesProcessed: parsed.data.total_bytes_processed,
          bytesAdded: parsed.data.data_added,
        };
      }
    }
    fail(action, 'restic printed no summary');
  }

  private isLocal(): boolean {
    return !/^[a-z0-9]+:/.test(this.options.repositoryBase);
  }

  private env(key: string): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      ...(process.env.RESTIC_CACHE_DIR ? { RESTIC_CACHE_DIR: process.env.RESTIC_CACHE_DIR } : {}),
      ...this.options.storageEnv,
      RESTIC_REPOSITORY: this.repositoryOf(key),
      RESTIC_PASSWORD: this.options.password,
    };
  }

  private async exec(key: string, args: string[]) {
    const child = start(this.binary, args, {
      env: this.env(key),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return outcome(child);
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
