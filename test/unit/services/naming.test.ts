import { describe, expect, it } from 'vitest';
import {
  isOtherTemplateOfPlan,
  publicUrl,
  RESERVED_SUBDOMAINS,
  subdomainProblem,
  templateDbName,
  tenantContainerName,
  tenantDbName,
  tenantHost,
} from '../../../src/services/naming.js';
import {
  localeSuffix,
  parseTemplateLocales,
  templateLocaleOf,
  tenantLocaleOf,
} from '../../../src/services/tenant-locale.js';
import { draftInstance } from '../../support/world.js';

describe('subdomainProblem', () => {
  it.each(['abc', 'acme', 'my-shop', 'a1b', '0ab', 'a'.repeat(30), 'x-y-z', 'ab-1'])(
    'accepts %s',
    (subdomain) => expect(subdomainProblem(subdomain)).toBeUndefined(),
  );

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(31)],
    ['leading hyphen', '-abc'],
    ['trailing hyphen', 'abc-'],
    ['upper case', 'Acme'],
    ['underscore', 'my_shop'],
    ['dot', 'my.shop'],
    ['space', 'my shop'],
    ['empty', ''],
    ['non-ASCII', 'españa'],
  ])('refuses %s (%s)', (_why, subdomain) => {
    expect(subdomainProblem(subdomain)).toMatch(/3-30 lowercase letters, digits or inner hyphens/);
  });

  it.each([
    ['trailing newline', 'acme\n'],
    ['NUL byte', 'ac\u0000me'],
    ['tab', 'ac\tme'],
  ])('refuses %s, showing it escaped', (_why, subdomain) => {
    const problem = subdomainProblem(subdomain);
    expect(problem).toMatch(/3-30 lowercase letters/);
    expect([...(problem ?? '')].every((c) => c >= ' ')).toBe(true);
  });

  it('refuses every reserved name of the contract', () => {
    const contract =
      'www admin mail api app bridge master shop odoo static smtp ftp ns1 ns2 localhost test ' +
      'status support billing portal autodiscover mta-sts cdn';
    expect([...RESERVED_SUBDOMAINS].sort()).toEqual(contract.split(' ').sort());
    for (const name of contract.split(' ')) {
      // two-letter names fail the pattern first; the others are refused as reserved
      expect(subdomainProblem(name)).toMatch(/reserved|3-30/);
    }
    expect(subdomainProblem('admin')).toBe('subdomain "admin" is reserved');
  });

  it.each(['xn--80ak6aa92e', 'xn--pple-43d', 'xn--abc'])(
    'refuses the punycode label %s (a look-alike of another name)',
    (subdomain) => expect(subdomainProblem(subdomain)).toBe(`subdomain "${subdomain}" is reserved`),
  );
});

describe('tenant names', () => {
  it('builds database, role, container and host from the subdomain', () => {
    expect(tenantDbName('acme')).toBe('tenant_acme');
    expect(tenantDbName('my-little-shop')).toBe('tenant_my_little_shop');
    expect(tenantContainerName('my-little-shop')).toBe('saas-tenant-my-little-shop');
    expect(tenantHost('acme', 'saas.example.com')).toBe('acme.saas.example.com');
  });

  it('keeps the longest database name a valid PostgreSQL identifier', () => {
    expect(tenantDbName('a'.repeat(30))).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
  });

  it('leaves default ports out of public URLs', () => {
    expect(publicUrl('acme.example.com', 'https', undefined)).toBe('https://acme.example.com');
    expect(publicUrl('acme.example.com', 'https', 443)).toBe('https://acme.example.com');
    expect(publicUrl('acme.localhost', 'http', 80)).toBe('http://acme.localhost');
    expect(publicUrl('acme.localhost', 'http', 8080)).toBe('http://acme.localhost:8080');
    expect(publicUrl('acme.example.com', 'https', 8443)).toBe('https://acme.example.com:8443');
  });
});

describe('templateDbName', () => {
  const base = templateDbName('starter', ['base', 'sale', 'crm'], 'build-1');

  it('is a safe identifier naming the plan', () => {
    expect(base).toMatch(/^tmpl_starter_[0-9a-f]{10}$/);
    expect(templateDbName('Pro Plan+ 2025!', ['base'], 'b')).toMatch(
      /^tmpl_pro_plan_2025__?[0-9a-f]{10}$/,
    );
    expect(templateDbName('x'.repeat(80), ['base'], 'b').length).toBeLessThanOrEqual(63);
  });

  it('does not depend on module order or repeats', () => {
    expect(templateDbName('starter', ['crm', 'base', 'sale'], 'build-1')).toBe(base);
    expect(templateDbName('starter', ['sale', 'crm', 'base', 'crm'], 'build-1')).toBe(base);
  });

  it('changes when the modules change', () => {
    expect(templateDbName('starter', ['base', 'sale'], 'build-1')).not.toBe(base);
    expect(templateDbName('starter', ['base', 'sale', 'crm', 'stock'], 'build-1')).not.toBe(base);
  });

  it('changes when the Odoo build changes', () => {
    expect(templateDbName('starter', ['base', 'sale', 'crm'], 'build-2')).not.toBe(base);
  });
});

describe('isOtherTemplateOfPlan', () => {
  it('finds older builds of the same plan only', () => {
    const current = 'tmpl_pro_0123456789';
    expect(isOtherTemplateOfPlan('tmpl_pro_abcdef0123', 'pro', current)).toBe(true);
    expect(isOtherTemplateOfPlan(current, 'pro', current)).toBe(false);
    expect(isOtherTemplateOfPlan('tmpl_pro_plus_abcdef0123', 'pro', current)).toBe(false);
    expect(isOtherTemplateOfPlan('tenant_pro', 'pro', current)).toBe(false);
  });
});

describe('templates per locale', () => {
  const modules = ['base', 'saas_tenant', 'sale'];
  it('names a locale template after its language and country, within PostgreSQL’s 63 characters', () => {
    const spain = templateDbName(
      'pro',
      modules,
      'b',
      localeSuffix({ lang: 'es_ES', country: 'ES' }),
    );
    expect(spain).toMatch(/^tmpl_pro_[0-9a-f]{10}_es_es_es$/);
    expect(spain).not.toBe(templateDbName('pro', modules, 'b'));
    const long = templateDbName(
      'x'.repeat(80),
      modules,
      'b',
      localeSuffix({ lang: 'es_ES', country: 'MX' }),
    );
    expect(long.length).toBeLessThanOrEqual(63);
  });

  it("drops older builds of the same plan and locale, never the plan's other locales", () => {
    const plain = templateDbName('pro', modules, 'new');
    const spain = templateDbName('pro', modules, 'new', 'es_es_es');
    const oldSpain = templateDbName('pro', modules, 'old', 'es_es_es');
    const oldPlain = templateDbName('pro', modules, 'old');
    expect(isOtherTemplateOfPlan(oldSpain, 'pro', spain)).toBe(true);
    expect(isOtherTemplateOfPlan(oldPlain, 'pro', spain)).toBe(false);
    expect(isOtherTemplateOfPlan(spain, 'pro', plain)).toBe(false);
    expect(isOtherTemplateOfPlan(oldPlain, 'pro', plain)).toBe(true);
    expect(
      isOtherTemplateOfPlan(templateDbName('pro', modules, 'old', 'en_us_us'), 'pro', spain),
    ).toBe(false);
  });

  it('builds own templates for the listed locales only; other languages get English', () => {
    const listed = [
      { lang: 'es_ES', country: 'ES' },
      { lang: 'en_US', country: 'FR' },
    ];
    const of = (lang: string | undefined, countryCode?: string) =>
      tenantLocaleOf(draftInstance({ lang, countryCode, currency: 'EUR', tz: 'Europe/Paris' }));
    expect(of('fr_FR', 'FR')).toEqual({
      lang: 'en_US',
      country: 'FR',
      currency: 'EUR',
      tz: 'Europe/Paris',
    });
    expect(templateLocaleOf(of('fr_FR', 'FR'), listed)).toEqual({ lang: 'en_US', country: 'FR' });
    expect(templateLocaleOf(of('es_ES', 'ES'), listed)).toEqual({ lang: 'es_ES', country: 'ES' });
    // not listed: the plain template (the set-up still gives the country, currency, time zone)
    expect(templateLocaleOf(of('es_ES', 'MX'), listed)).toBeUndefined();
    expect(templateLocaleOf(of('es_ES'), listed)).toBeUndefined();
    expect(templateLocaleOf(of('en_US'), [{ lang: 'en_US', country: undefined }])).toBeUndefined();
  });

  it('reads TENANT_TEMPLATE_LOCALES, refusing a malformed entry with the reason', () => {
    expect(parseTemplateLocales('es_ES:ES, en_US:US')).toEqual([
      { lang: 'es_ES', country: 'ES' },
      { lang: 'en_US', country: 'US' },
    ]);
    expect(parseTemplateLocales('')).toEqual([]);
    expect(parseTemplateLocales('es_ES')).toMatch(/es_ES is not <language>:<country>/);
    expect(parseTemplateLocales('fr_FR:FR')).toMatch(/fr_FR:FR is not .*en_US, es_ES/);
  });
});
