import { z } from 'zod';

/**
 * The buyer's locale as the master sends it (order.confirmed) and holds it on the instance: Odoo
 * answers `false` for a partner without one. Each value names something the tenant's Odoo is then
 * configured with, so a malformed one is refused here, not deep inside a tenant set-up.
 */
const absent = z.literal(false).transform(() => undefined);

/** Odoo language codes: en_US, es_ES, sr@latin, es_419 */
export const odooLang = z.string().regex(/^[a-z]{2,3}(_[A-Z]{2}|_\d{3})?(@[a-z]+)?$/, {
  message: 'must be an Odoo language code like es_ES',
});
export const countryCode = z.string().regex(/^[A-Z]{2}$/, {
  message: 'must be an ISO 3166 country code like ES',
});
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, {
  message: 'must be an ISO 4217 currency code like EUR',
});
export const timeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, { message: 'must be an IANA time zone like Europe/Madrid' });

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return /^[A-Za-z0-9_+\-/]+$/.test(name);
  } catch {
    return false;
  }
}

export const LOCALE_FIELDS = {
  lang: z.union([odooLang, absent]),
  country_code: z.union([countryCode, absent]),
  currency: z.union([currencyCode, absent]),
  tz: z.union([timeZone, absent]),
};
