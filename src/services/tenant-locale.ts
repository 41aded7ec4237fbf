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

/** undefined: the plain template (English, no country), as built before locales existed */
export function templateLocaleOf(locale: TemplateLocale): TemplateLocale | undefined {
  if (locale.lang === DEFAULT_LANG && !locale.country) return undefined;
  return { lang: locale.lang, country: locale.country };
}

/** the part of a template's name that tells its locale: es_es_es (language es_ES, country ES) */
export function localeSuffix(locale: TemplateLocale): string {
  return `${locale.lang}_${locale.country ?? 'xx'}`.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}
