/** The address, login and temporary password our welcome mail gives (English or Spanish labels). */
import type { ParsedMail } from './mime.js';

export interface WelcomeCredentials {
  url: string;
  login: string;
  password: string;
}

/** each field as found in the mail; an empty string where the mail lacks it */
export function welcomeCredentials(mail: ParsedMail): WelcomeCredentials {
  const body = mail.text || mail.html.replace(/<[^>]+>/g, '\n');
  const field = (labels: string) =>
    new RegExp(`^\\s*(?:${labels})\\s*:\\s*(\\S+)\\s*$`, 'mi').exec(body)?.[1] ?? '';
  return {
    url: field('Address|Dirección'),
    login: field('Login|Usuario'),
    password: field('Temporary password|Contraseña temporal'),
  };
}
