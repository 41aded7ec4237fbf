import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { crc32, createDeflateRaw } from 'node:zlib';

export interface ZipEntry {
  name: string;
  content: Readable | Buffer;
}

interface Written {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  dosTime: number;
}

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

/**
 * A streaming ZIP writer (deflate, sizes in data descriptors, ZIP64 when an entry, an offset or the
 * entry count outgrows 32/16 bits), so a backup of any size goes to the browser without a temp
 * file. What Python's zipfile (Odoo's restore_db) and unzip read.
 */
export class ZipWriter {
  private offset = 0;
  private readonly entries: Written[] = [];

  constructor(private readonly out: Writable) {}

  async add(entry: ZipEntry, date = new Date()): Promise<void> {
    const name = Buffer.from(entry.name, 'utf8');
    const dosTime = toDos(date);
    const offset = this.offset;
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(45, 4); // version needed: 4.5 (ZIP64)
    header.writeUInt16LE(0x0808, 6); // bit 3: sizes in the data descriptor; bit 11: UTF-8 names
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt32LE(dosTime, 10);
    header.writeUInt16LE(name.length, 26);
    await this.write(Buffer.concat([header, name]));

    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw({ level: 6 });
    const pumped = (async () => {
      for await (const chunk of deflate) {
        compressed += (chunk as Buffer).length;
        await this.write(chunk as Buffer);
      }
    })();
    const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(entry.content)
      ? [entry.content]
      : (entry.content as AsyncIterable<Buffer>);
    for await (const chunk of chunks) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      if (!deflate.write(chunk)) await once(deflate, 'drain');
    }
    deflate.end();
    await pumped;

    const big = size >= MAX32 || compressed >= MAX32;
    const descriptor = Buffer.alloc(big ? 24 : 16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    if (big) {
      descriptor.writeBigUInt64LE(BigInt(compressed), 8);
      descriptor.writeBigUInt64LE(BigInt(size), 16);
    } else {
      descriptor.writeUInt32LE(compressed, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    await this.write(descriptor);
    this.entries.push({ name, crc: crc >>> 0, compressed, size, offset, dosTime });
  }

  /** writes the central directory; the caller ends the output stream */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) await this.write(centralHeader(e));
    const size = this.offset - start;
    const count = this.entries.length;
    if (count >= MAX16 || start >= MAX32 || size >= MAX32) {
      const eocd64At = this.offset;
      const eocd64 = Buffer.alloc(56);
      eocd64.writeUInt32LE(0x06064b50, 0);
      eocd64.writeBigUInt64LE(44n, 4);
      eocd64.writeUInt16LE(45, 12);
      eocd64.writeUInt16LE(45, 14);
      eocd64.writeBigUInt64LE(BigInt(count), 24);
      eocd64.writeBigUInt64LE(BigInt(count), 32);
      eocd64.writeBigUInt64LE(BigInt(size), 40);
      eocd64.writeBigUInt64LE(BigInt(start), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(eocd64At), 8);
      locator.writeUInt32LE(1, 16);
      await this.write(Buffer.concat([eocd64, locator]));
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(Math.min(count, MAX16), 8);
    eocd.writeUInt16LE(Math.min(count, MAX16), 10);
    eocd.writeUInt32LE(Math.min(size, MAX32), 12);
    eocd.writeUInt32LE(Math.min(start, MAX32), 16);
    await this.write(eocd);
  }

  private async write(buffer: Buffer): Promise<void> {
    this.offset += buffer.length;
    if (!this.out.write(buffer)) await once(this.out, 'drain');
  }
}

function centralHeader(e: Written): Buffer {
  const zip64: Buffer[] = [];
  if (e.size >= MAX32) zip64.push(u64(e.size));
  if (e.compressed >= MAX32) zip64.push(u64(e.compressed));
  if (e.offset >= MAX32) zip64.push(u64(e.offset));
  const extra = zip64.length
    ? Buffer.concat([u16(0x0001), u16(zip64.length * 8), ...zip64])
    : Buffer.alloc(0);
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(0x0300 | 45, 4); // made by: Unix, 4.5
  h.writeUInt16LE(45, 6);
  h.writeUInt16LE(0x0808, 8);
  h.writeUInt16LE(8, 10);
  h.writeUInt32LE(e.dosTime, 12);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(Math.min(e.compressed, MAX32), 20);
  h.writeUInt32LE(Math.min(e.size, MAX32), 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
  h.writeUInt32LE(Math.min(e.offset, MAX32), 42);
  return Buffer.concat([h, e.name, extra]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n), 0);
  return b;
}

function toDos(d: Date): number {
  const year = Math.max(d.getFullYear(), 1980);
  const date = ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2);
  return ((date << 16) | time) >>> 0;
}
