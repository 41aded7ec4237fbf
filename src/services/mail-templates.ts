import type { MailMessage } from '../ports/mail.port.js';
import { escapeHtml } from './secrets.js';

export interface WelcomeMailInput {
  to: string;
  customerName: string;
  url: string;
  login: string;
  /** absent when the customer already saw it in the portal */
  password: string | undefined;
  portalUrl: string;
  lang: string | undefined;
}

type Lang = 'en' | 'es';

export function mailLanguage(odooLang: string | undefined): Lang {
  return odooLang?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

const WELCOME = {
  en: {
    subject: 'Your Odoo is ready',
    hello: (name: string) => `Hello ${name},`,
    ready: 'your own Odoo is up and running:',
    address: 'Address',
    login: 'Login',
    password: 'Temporary password',
    noPassword: 'Your password was shown once in your customer portal.',
    advice:
      'Please change this password after your first login (top right menu > My Profile > Account Security).',
    portal: 'Your subscription, invoices and this information are in your customer portal:',
    bye: 'Thank you for choosing us.',
  },
  es: {
    subject: 'Su Odoo está listo',
    hello: (name: string) => `Hola ${name}:`,
    ready: 'su propio Odoo ya está funcionando:',
    address: 'Dirección',
    login: 'Usuario',
    password: 'Contraseña temporal',
    noPassword: 'Su contraseña se mostró una vez en su portal de cliente.',
    advice:
      'Cambie esta contraseña tras su primer acceso (menú arriba a la derecha > Mi perfil > Seguridad de la cuenta).',
    portal: 'Su suscripción, sus facturas y estos datos están en su portal de cliente:',
    bye: 'Gracias por confiar en nosotros.',
  },
} as const;

export function welcomeMail(input: WelcomeMailInput): MailMessage {
  const t = WELCOME[mailLanguage(input.lang)];
  const rows: [string, string][] = [
    [t.address, input.url],
    [t.login, input.login],
  ];
  if (input.password) rows.push([t.password, input.password]);
  const textRows = rows.map(([k, v]) => `${k}: ${v}`).join('\n');
  const htmlRows = rows
    .map(
      ([k, v]) =>
        `<tr><td style="padding:2px 12px 2px 0"><b>${escapeHtml(k)}</b></td><td><code>${escapeHtml(v)}</code></td></tr>`,
    )
    .join('');
  const passwordNote = input.password ? t.advice : t.noPassword;
  return {
    to: input.to,
    subject: t.subject,
    text: [
      t.hello(input.customerName),
      '',
      t.ready,
      '',
      textRows,
      '',
      passwordNote,
      '',
      t.portal,
      input.portalUrl,
      '',
      t.bye,
    ].join('\n'),
    html:
      `<p>${escapeHtml(t.hello(input.customerName))}</p><p>${escapeHtml(t.ready)}</p>` +
      `<table>${htmlRows}</table>` +
      `<p><a href="${escapeHtml(input.url)}">${escapeHtml(input.url)}</a></p>` +
      `<p>${escapeHtml(passwordNote)}</p>` +
      `<p>${escapeHtml(t.portal)} <a href="${escapeHtml(input.portalUrl)}">${escapeHtml(input.portalUrl)}</a></p>` +
      `<p>${escapeHtml(t.bye)}</p>`,
  };
}
