import type { InstanceRecord } from '../ports/odoo.port.js';

/**
 * The languages a tenant's template is built in: ours (saas_tenant's texts, the mails) exist in
 * these. A buyer speaking another one gets en_US, set up in their country all the same.
 */
export const TEMPLATE_LANGS: readonly string[] = ['en_US', 'es_ES'];
const DEFAULT_LANG = 'en_US';

/**
 * What a template is built for besides its plan: the language loaded into it and the company's
 * country, set before the plan's apps install, so Odoo picks that country's accounting (its
 * l10n module and default chart, e.g. l10n_es with es_pymes) when the plan has accounting.
 */
export interface TemplateLocale {
  lang: string;
  country: string | undefined;
}

/** what the tenant set-up applies on top of its clone */
export interface TenantLocale extends TemplateLocale {
  currency: string | undefined;
  tz: string | undefined;
}

export function tenantLocaleOf(instance: InstanceRecord): TenantLocale {
  const lang =
    instance.lang && TEMPLATE_LANGS.includes(instance.lang) ? instance.lang : DEFAULT_LANG;
  return { lang, country: instance.countryCode, currency: instance.currency, tz: instance.tz };
}

/**
 * The template locale a buyer's tenant is cloned from: theirs when it is one of `locales`
 * (TENANT_TEMPLATE_LOCALES: each is a build of minutes, once, and a database per plan), otherwise
 * undefined, the plain template (English, no country), which the set-up then gives the country,
 * currency and time zone, without the country's accounting.
 */
export function templateLocaleOf(
  locale: TemplateLocale,
  locales: readonly TemplateLocale[],
): TemplateLocale | undefined {
  const listed = locales.some((l) => l.lang === locale.lang && l.country === locale.country);
  if (!listed || (locale.lang === DEFAULT_LANG && !locale.country)) return undefined;
  return { lang: locale.lang, country: locale.country };
}

/** TENANT_TEMPLATE_LOCALES: `es_ES:ES en_US:US`; undefined with the reason when malformed */
export function parseTemplateLocales(text: string): TemplateLocale[] | string {
  const locales: TemplateLocale[] = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const match = /^([a-z]{2}_[A-Z]{2}):([A-Z]{2})$/.exec(item);
    if (!match || !TEMPLATE_LANGS.includes(match[1]!))
      return `${item} is not <language>:<country> with a language of ${TEMPLATE_LANGS.join(', ')} (e.g. es_ES:ES)`;
    locales.push({ lang: match[1]!, country: match[2] });
  }
  return locales;
}

/** the part of a template's name that tells its locale: es_es_es (language es_ES, country ES) */
export function localeSuffix(locale: TemplateLocale): string {
  return `${locale.lang}_${locale.country ?? 'xx'}`.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}
