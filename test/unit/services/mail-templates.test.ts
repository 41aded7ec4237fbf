import { describe, expect, it } from 'vitest';
import {
  mailLanguage,
  welcomeMail,
  type WelcomeMailInput,
} from '../../../src/services/mail-templates.js';

const input: WelcomeMailInput = {
  to: 'ana@example.com',
  customerName: 'Ana',
  url: 'https://acme.saas.example.com',
  login: 'ana@example.com',
  password: 'Xk7pQ2mN9rT4vW8yZ3aB',
  portalUrl: 'https://master.example.com/my/instances/1',
  lang: 'en_US',
};

describe('mailLanguage', () => {
  it.each([
    ['es_ES', 'es'],
    ['es_AR', 'es'],
    ['es', 'es'],
    ['ES_mx', 'es'],
    ['en_US', 'en'],
    ['fr_FR', 'en'],
    [undefined, 'en'],
    ['', 'en'],
  ])('%s -> %s', (lang, expected) => expect(mailLanguage(lang)).toBe(expected));
});

describe('welcomeMail', () => {
  it('writes English for English customers, with URL, login, password and portal', () => {
    const mail = welcomeMail(input);
    expect(mail.to).toBe('ana@example.com');
    expect(mail.subject).toBe('Your Odoo is ready');
    expect(mail.text).toContain('Hello Ana,');
    expect(mail.text).toContain('Address: https://acme.saas.example.com');
    expect(mail.text).toContain('Login: ana@example.com');
    expect(mail.text).toContain('Temporary password: Xk7pQ2mN9rT4vW8yZ3aB');
    expect(mail.text).toContain('Please change this password');
    expect(mail.text).toContain('https://master.example.com/my/instances/1');
    expect(mail.html).toContain('<code>Xk7pQ2mN9rT4vW8yZ3aB</code>');
    expect(mail.html).toContain('<a href="https://acme.saas.example.com">');
  });

  it('writes Spanish for Spanish customers', () => {
    const mail = welcomeMail({ ...input, lang: 'es_ES' });
    expect(mail.subject).toBe('Su Odoo está listo');
    expect(mail.text).toContain('Hola Ana:');
    expect(mail.text).toContain('Dirección: https://acme.saas.example.com');
    expect(mail.text).toContain('Usuario: ana@example.com');
    expect(mail.text).toContain('Contraseña temporal: Xk7pQ2mN9rT4vW8yZ3aB');
    expect(mail.text).not.toContain('Hello');
  });

  it.each(['en_US', 'es_ES'])('leaves the password out when absent (%s)', (lang) => {
    const mail = welcomeMail({ ...input, lang, password: undefined });
    expect(mail.text).not.toContain('Xk7pQ2mN9rT4vW8yZ3aB');
    expect(mail.html).not.toContain('Xk7pQ2mN9rT4vW8yZ3aB');
    expect(mail.text).not.toMatch(/Temporary password|Contraseña temporal/);
    expect(mail.text).toMatch(/shown once in your customer portal|se mostró una vez en su portal/);
    expect(mail.text).not.toMatch(/Please change this password|Cambie esta contraseña/);
  });

  it('escapes everything it puts in HTML', () => {
    const mail = welcomeMail({
      ...input,
      customerName: '<script>alert(1)</script>',
      login: 'a"b@example.com',
      password: `p<&>'"`,
      url: 'https://acme.example.com/?a=1&b="2"',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(mail.html).toContain('a&#34;b@example.com');
    expect(mail.html).toContain('p&#60;&#38;&#62;&#39;&#34;');
    expect(mail.html).toContain('href="https://acme.example.com/?a=1&#38;b=&#34;2&#34;"');
    // the plain text part stays as typed
    expect(mail.text).toContain('Hello <script>alert(1)</script>,');
  });
});
