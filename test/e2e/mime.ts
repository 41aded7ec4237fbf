/**
 * Just enough MIME to read the mails our bridge sends (nodemailer): headers with RFC 2047 encoded
 * words, multipart bodies, quoted-printable / base64 / 7bit / 8bit parts, UTF-8 text.
 */

export interface ParsedMail {
  headers: Map<string, string>;
  subject: string;
  from: string;
  to: string;
  text: string;
  html: string;
}

/** `=?UTF-8?Q?Su_Odoo_est=C3=A1_listo?=` -> `Su Odoo está listo` */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2') // whitespace between adjacent encoded words is dropped
    .replace(
      /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g,
      (_m, charset: string, enc: string, data: string) => {
        const bytes =
          enc.toUpperCase() === 'B'
            ? Buffer.from(data, 'base64')
            : qpBytes(data.replace(/_/g, ' '));
        return new TextDecoder(charset.toLowerCase()).decode(bytes);
      },
    );
}

function qpBytes(input: string): Buffer {
  const out: number[] = [];
  const src = input.replace(/=\r?\n/g, ''); // soft line breaks
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    const hex = src.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) out.push(b);
    }
  }
  return Buffer.from(out);
}

export function decodeQuotedPrintable(input: string, charset = 'utf-8'): string {
  return new TextDecoder(charset).decode(qpBytes(input));
}

function splitHeadersBody(raw: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return [raw, ''];
  return [raw.slice(0, m.index), raw.slice(m.index + m[0].length)];
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(i + 1).trim());
  }
  return headers;
}

/** `text/plain; charset=utf-8` -> { value: 'text/plain', params: { charset: 'utf-8' } } */
function headerParams(value: string): { value: string; params: Record<string, string> } {
  const [first, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    params[part.slice(0, i).trim().toLowerCase()] = part
      .slice(i + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { value: (first ?? '').trim().toLowerCase(), params };
}

function decodeBody(body: string, headers: Map<string, string>): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset =
    headerParams(headers.get('content-type') ?? 'text/plain').params.charset ?? 'utf-8';
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body, charset);
  if (encoding === 'base64')
    return new TextDecoder(charset).decode(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
  return body;
}

/** Walks the MIME tree and keeps the first text/plain and text/html leaves. */
function collect(raw: string, into: { text: string; html: string }): Map<string, string> {
  const [head, body] = splitHeadersBody(raw);
  const headers = parseHeaders(head);
  const type = headerParams(headers.get('content-type') ?? 'text/plain');
  if (type.value.startsWith('multipart/') && type.params.boundary) {
    const delimiter = `--${type.params.boundary}`;
    const sections = body.split(delimiter).slice(1); // before the first delimiter: the preamble
    for (const section of sections) {
      if (section.startsWith('--')) break; // closing delimiter
      collect(section.replace(/^\r?\n/, '').replace(/\r?\n$/, ''), into);
    }
  } else if (type.value === 'text/plain' && !into.text) {
    into.text = decodeBody(body, headers);
  } else if (type.value === 'text/html' && !into.html) {
    into.html = decodeBody(body, headers);
  }
  return headers;
}

export function parseMail(raw: string): ParsedMail {
  const parts = { text: '', html: '' };
  const headers = collect(raw, parts);
  const header = (name: string) => decodeEncodedWords(headers.get(name) ?? '');
  return { headers, subject: header('subject'), from: header('from'), to: header('to'), ...parts };
}
