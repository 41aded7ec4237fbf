import { createHash } from 'node:crypto';
import { CONTRACT } from '../contract.js';

/** Subdomain rule shared with the master addon: odoo-addons/saas_master/contract/saas_contract.json */
const RULE = CONTRACT.subdomain;
export const SUBDOMAIN_PATTERN = new RegExp(RULE.pattern);
export const SUBDOMAIN_MIN_LENGTH = RULE.min_length;
export const SUBDOMAIN_MAX_LENGTH = RULE.max_length;
export const RESERVED_SUBDOMAINS: ReadonlySet<string> = new Set(RULE.reserved);
/** `xn--`: punycode labels, which browsers show as look-alikes of other names */
export const RESERVED_SUBDOMAIN_PREFIXES: readonly string[] = RULE.reserved_prefixes;

export function subdomainProblem(subdomain: string): string | undefined {
  // JSON.stringify: a control character in the value shows escaped, never raw in a log line
  const shown = JSON.stringify(subdomain);
  const { length } = subdomain;
  if (
    length < SUBDOMAIN_MIN_LENGTH ||
    length > SUBDOMAIN_MAX_LENGTH ||
    !SUBDOMAIN_PATTERN.test(subdomain)
  ) {
    return `subdomain ${shown} must be ${SUBDOMAIN_MIN_LENGTH}-${SUBDOMAIN_MAX_LENGTH} lowercase letters, digits or inner hyphens`;
  }
  if (
    RESERVED_SUBDOMAINS.has(subdomain) ||
    RESERVED_SUBDOMAIN_PREFIXES.some((prefix) => subdomain.startsWith(prefix))
  ) {
    return `subdomain ${shown} is reserved`;
  }
  return undefined;
}

/**
 * A tenant ref as the master sets it (saas.instance.tenant_ref): 't' + 10 base32 characters for new
 * instances; instances made before refs existed got their subdomain, so their names did not change.
 */
export const TENANT_REF_PATTERN = /^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$/;

/** database, role and data dir of a tenant: tenant_<ref with - as _> */
export function tenantDbName(tenantRef: string): string {
  return `tenant_${tenantRef.replaceAll('-', '_')}`;
}

export function tenantContainerName(tenantRef: string): string {
  return `saas-tenant-${tenantRef}`;
}

export function tenantHost(subdomain: string, baseDomain: string): string {
  return `${subdomain}.${baseDomain}`;
}

export function publicUrl(host: string, scheme: string, port: number | undefined): string {
  const defaultPort = scheme === 'https' ? 443 : 80;
  return port && port !== defaultPort ? `${scheme}://${host}:${port}` : `${scheme}://${host}`;
}

/**
 * A template per plan's module set and Odoo build (a change of either gives a new name), and per
 * locale (language and country; suffix `_<locale>`, none for the plain English one).
 */
export function templateDbName(
  planCode: string,
  modules: string[],
  odooBuild: string,
  locale?: string,
): string {
  const key = JSON.stringify({
    modules: [...new Set(modules)].sort(),
    odooBuild,
    ...(locale ? { locale } : {}),
  });
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return `${templatePrefix(planCode)}${hash}${locale ? `_${locale}` : ''}`;
}

function templatePrefix(planCode: string): string {
  const code = planCode
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  return `tmpl_${code}_`;
}

/**
 * Templates of this plan and locale built for other modules or Odoo builds (not of a plan whose
 * code only starts alike, nor the plan's templates of other locales, which are still in use).
 */
export function isOtherTemplateOfPlan(db: string, planCode: string, current: string): boolean {
  const prefix = templatePrefix(planCode);
  const localeOf = (name: string) =>
    name.startsWith(prefix)
      ? /^[0-9a-f]{10}((?:_[a-z0-9]+)*)$/.exec(name.slice(prefix.length))?.[1]
      : undefined;
  const mine = localeOf(current);
  return db !== current && mine !== undefined && localeOf(db) === mine;
}
