import type { MailMessage } from '../ports/mail.port.js';
import { mailLanguage } from './mail-templates.js';
import { escapeHtml } from './secrets.js';

/** What every subscription mail knows of its instance. */
export interface NoticeBase {
  to: string;
  customerName: string;
  /** the tenant's address, e.g. acme.saas.example.com */
  host: string;
  lang: string | undefined;
}

export type Notice =
  | {
      kind: 'reminder';
      daysLeft: number;
      dueDate: string;
      amount: number;
      currency: string;
      invoiceName: string;
      trial: boolean;
      payUrl: string;
    }
  | { kind: 'suspended'; payUrl: string }
  | { kind: 'reactivated'; url: string }
  | { kind: 'renewed'; nextPaymentDate: string; url: string }
  | { kind: 'deletion-warning'; deletionDate: string; payUrl: string }
  | { kind: 'deleted'; portalUrl: string }
  | {
      kind: 'plan-changed';
      planName: string;
      /** 0: unlimited */
      maxUsers: number;
      storageMb: number;
      url: string;
    }
  | { kind: 'storage-warning'; usedMb: number; quotaMb: number; pct: number; upgradeUrl: string }
  | {
      kind: 'charge-failed';
      attempt: number;
      attemptsLeft: number;
      error: string;
      dueDate: string;
      payUrl: string;
    };

export type NoticeKind = Notice['kind'];

interface Body {
  subject: string;
  lines: string[];
  link?: { label: string; url: string };
}

const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;
const gb = (mb: number) => `${Math.round((mb / 1024) * 10) / 10} GB`;

const EN = {
  hello: (name: string) => `Hello ${name},`,
  bye: 'Thank you for choosing us.',
  days: (n: number) => (n === 0 ? 'today' : n === 1 ? 'in 1 day' : `in ${n} days`),
  body(n: Notice, host: string): Body {
    switch (n.kind) {
      case 'reminder':
        return {
          subject: `Your ${n.trial ? 'trial' : 'subscription'} ends ${EN.days(n.daysLeft)}`,
          lines: [
            `your ${n.trial ? 'free trial' : 'subscription'} of ${host} ends ${EN.days(n.daysLeft)}, on ${n.dueDate}.`,
            `Invoice ${n.invoiceName} (${money(n.amount, n.currency)}) keeps it running: please pay it before that date.`,
            'If it is not paid, the service is suspended; your data is kept.',
          ],
          link: { label: 'Pay now', url: n.payUrl },
        };
      case 'suspended':
        return {
          subject: 'Your service has been suspended',
          lines: [
            `${host} has been suspended because the subscription was not renewed.`,
            'Your data is kept. Pay the renewal and the service comes back as you left it.',
          ],
          link: { label: 'Renew and pay', url: n.payUrl },
        };
      case 'reactivated':
        return {
          subject: 'Your service is back',
          lines: [
            'thank you for your payment.',
            `${host} is running again, with all your data as you left it.`,
          ],
          link: { label: 'Open your Odoo', url: n.url },
        };
      case 'renewed':
        return {
          subject: `Subscription renewed, next payment on ${n.nextPaymentDate}`,
          lines: [
            `thank you for your payment: the subscription of ${host} is renewed.`,
            `Your next payment is due on ${n.nextPaymentDate}.`,
          ],
          link: { label: 'Open your Odoo', url: n.url },
        };
      case 'deletion-warning':
        return {
          subject: `Your instance will be deleted on ${n.deletionDate}`,
          lines: [
            `${host} has been suspended for a while. On ${n.deletionDate} it and all its data will be deleted.`,
            'Pay the renewal before that date and the service comes back as you left it.',
          ],
          link: { label: 'Pay now', url: n.payUrl },
        };
      case 'deleted':
        return {
          subject: 'Your instance was deleted',
          lines: [
            `${host} and its data were deleted, as announced.`,
            'We made a final backup of your database and files before deleting them. To get it, ' +
              'ask for it from your customer portal or reply to this mail.',
          ],
          link: { label: 'Your customer portal', url: n.portalUrl },
        };
      case 'plan-changed':
        return {
          subject: `Your plan is now ${n.planName}`,
          lines: [
            `${host} now runs on the ${n.planName} plan.`,
            `It includes ${n.maxUsers ? `up to ${n.maxUsers} users` : 'unlimited users'} and ${gb(n.storageMb)} of storage.`,
          ],
          link: { label: 'Open your Odoo', url: n.url },
        };
      case 'storage-warning':
        return {
          subject: `Your Odoo uses ${Math.round(n.pct)} % of its storage`,
          lines: [
            `${host} stores ${gb(n.usedMb)} of the ${gb(n.quotaMb)} its plan includes (${Math.round(n.pct)} %).`,
            'When it is full, new attachments are refused (nothing stored is lost). Delete files you ' +
              'no longer need, or move to a plan with more storage.',
          ],
          link: { label: 'Change plan', url: n.upgradeUrl },
        };
      case 'charge-failed':
        return {
          subject: 'Your automatic payment failed',
          lines: [
            `the automatic payment ${n.attempt} of the renewal of ${host} failed: ${n.error}`,
            n.attemptsLeft > 0
              ? `We will try again (${n.attemptsLeft} more ${n.attemptsLeft === 1 ? 'time' : 'times'}) before ${n.dueDate}. You can also pay now, or update your card in the portal.`
              : `We will not try again. Please pay before ${n.dueDate} to keep the service running.`,
          ],
          link: { label: 'Pay now', url: n.payUrl },
        };
    }
  },
};

const ES: typeof EN = {
  hello: (name: string) => `Hola ${name}:`,
  bye: 'Gracias por confiar en nosotros.',
  days: (n: number) => (n === 0 ? 'hoy' : n === 1 ? 'en 1 día' : `en ${n} días`),
  body(n: Notice, host: string): Body {
    switch (n.kind) {
      case 'reminder':
        return {
          subject: `Su ${n.trial ? 'prueba' : 'suscripción'} termina ${ES.days(n.daysLeft)}`,
          lines: [
            `su ${n.trial ? 'prueba gratuita' : 'suscripción'} de ${host} termina ${ES.days(n.daysLeft)}, el ${n.dueDate}.`,
            `La factura ${n.invoiceName} (${money(n.amount, n.currency)}) la mantiene activa: páguela antes de esa fecha.`,
            'Si no se paga, el servicio se suspende; sus datos se conservan.',
          ],
          link: { label: 'Pagar ahora', url: n.payUrl },
        };
      case 'suspended':
        return {
          subject: 'Su servicio ha sido suspendido',
          lines: [
            `${host} ha sido suspendido porque la suscripción no se renovó.`,
            'Sus datos se conservan. Pague la renovación y el servicio vuelve tal como lo dejó.',
          ],
          link: { label: 'Renovar y pagar', url: n.payUrl },
        };
      case 'reactivated':
        return {
          subject: 'Su servicio vuelve a estar activo',
          lines: [
            'gracias por su pago.',
            `${host} vuelve a funcionar, con todos sus datos tal como los dejó.`,
          ],
          link: { label: 'Abrir su Odoo', url: n.url },
        };
      case 'renewed':
        return {
          subject: `Suscripción renovada, próximo pago el ${n.nextPaymentDate}`,
          lines: [
            `gracias por su pago: la suscripción de ${host} está renovada.`,
            `Su próximo pago vence el ${n.nextPaymentDate}.`,
          ],
          link: { label: 'Abrir su Odoo', url: n.url },
        };
      case 'deletion-warning':
        return {
          subject: `Su instancia se eliminará el ${n.deletionDate}`,
          lines: [
            `${host} lleva tiempo suspendido. El ${n.deletionDate} se eliminarán la instancia y todos sus datos.`,
            'Pague la renovación antes de esa fecha y el servicio vuelve tal como lo dejó.',
          ],
          link: { label: 'Pagar ahora', url: n.payUrl },
        };
      case 'deleted':
        return {
          subject: 'Su instancia ha sido eliminada',
          lines: [
            `${host} y sus datos se han eliminado, como le anunciamos.`,
            'Antes hicimos una copia de seguridad final de su base de datos y sus archivos. Para ' +
              'obtenerla, pídala desde su portal de cliente o responda a este correo.',
          ],
          link: { label: 'Su portal de cliente', url: n.portalUrl },
        };
      case 'plan-changed':
        return {
          subject: `Su plan ahora es ${n.planName}`,
          lines: [
            `${host} funciona ahora con el plan ${n.planName}.`,
            `Incluye ${n.maxUsers ? `hasta ${n.maxUsers} usuarios` : 'usuarios ilimitados'} y ${gb(n.storageMb)} de almacenamiento.`,
          ],
          link: { label: 'Abrir su Odoo', url: n.url },
        };
      case 'storage-warning':
        return {
          subject: `Su Odoo usa el ${Math.round(n.pct)} % de su almacenamiento`,
          lines: [
            `${host} ocupa ${gb(n.usedMb)} de los ${gb(n.quotaMb)} que incluye su plan (${Math.round(n.pct)} %).`,
            'Cuando se llene, no se aceptarán archivos adjuntos nuevos (no se pierde nada de lo guardado). ' +
              'Borre los archivos que ya no necesite o cambie a un plan con más almacenamiento.',
          ],
          link: { label: 'Cambiar de plan', url: n.upgradeUrl },
        };
      case 'charge-failed':
        return {
          subject: 'Su pago automático ha fallado',
          lines: [
            `el pago automático ${n.attempt} de la renovación de ${host} ha fallado: ${n.error}`,
            n.attemptsLeft > 0
              ? `Lo intentaremos de nuevo (${n.attemptsLeft} ${n.attemptsLeft === 1 ? 'vez' : 'veces'} más) antes del ${n.dueDate}. También puede pagar ahora o cambiar su tarjeta en el portal.`
              : `No lo intentaremos más. Pague antes del ${n.dueDate} para mantener el servicio.`,
          ],
          link: { label: 'Pagar ahora', url: n.payUrl },
        };
    }
  },
};

/** A subscription mail in the customer's language (English unless their Odoo language is Spanish). */
export function noticeMail(base: NoticeBase, notice: Notice): MailMessage {
  const t = mailLanguage(base.lang) === 'es' ? ES : EN;
  const { subject, lines, link } = t.body(notice, base.host);
  const hello = t.hello(base.customerName);
  const text = [hello, '', ...lines];
  if (link) text.push('', `${link.label}: ${link.url}`);
  text.push('', t.bye);
  const linkHtml = link
    ? `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`
    : '';
  return {
    to: base.to,
    subject,
    text: text.join('\n'),
    html:
      `<p>${escapeHtml(hello)}</p>` +
      lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('') +
      linkHtml +
      `<p>${escapeHtml(t.bye)}</p>`,
  };
}
