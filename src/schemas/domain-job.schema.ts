import { z } from 'zod';

const id = z.number().int().positive().max(2147483647);
const domain = z.string().min(1).max(253);

/** verify-domain: check that a customer's domain points here, then route it (domain.verify) */
export const verifyDomainJobSchema = z.object({
  instanceId: id,
  domainId: id,
  domain,
  /** the public challenge the proxy serves on the host: not a secret */
  token: z.string().regex(/^[0-9a-f]{32}$/),
});
export type VerifyDomainJobData = z.infer<typeof verifyDomainJobSchema>;

/** remove-domain: drop a customer's domain route (domain.remove) */
export const removeDomainJobSchema = z.object({
  instanceId: id,
  domain,
  wasVerified: z.boolean(),
});
export type RemoveDomainJobData = z.infer<typeof removeDomainJobSchema>;
