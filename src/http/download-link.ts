import { createHmac, timingSafeEqual } from 'node:crypto';

/** A download link never lives longer than this, whatever its expiry says. */
export const MAX_LINK_SECONDS = 3600;

export interface DownloadLink {
  instanceId: number;
  snapshotId: string;
  /** unix seconds */
  expires: number;
}

/** hex HMAC-SHA256(secret, "download.<instance>.<snapshot>.<expires>"), as the master signs it */
export function signDownload(secret: string, link: DownloadLink): string {
  return createHmac('sha256', secret)
    .update(`download.${link.instanceId}.${link.snapshotId}.${link.expires}`)
    .digest('hex');
}

/** the link's fields when its signature is right and it has not expired, else undefined */
export function checkDownloadLink(
  secret: string,
  query: Record<string, unknown>,
  nowMs: number,
): DownloadLink | undefined {
  const { instance, snapshot, expires, sig } = query;
  if (typeof instance !== 'string' || !/^\d{1,12}$/.test(instance)) return undefined;
  if (typeof snapshot !== 'string' || !/^[0-9a-f]{8,64}$/.test(snapshot)) return undefined;
  if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires)) return undefined;
  if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return undefined;
  const link = { instanceId: Number(instance), snapshotId: snapshot, expires: Number(expires) };
  const now = nowMs / 1000;
  if (link.expires < now || link.expires > now + MAX_LINK_SECONDS) return undefined;
  const expected = Buffer.from(signDownload(secret, link), 'hex');
  return timingSafeEqual(Buffer.from(sig, 'hex'), expected) ? link : undefined;
}
