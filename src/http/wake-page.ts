import { escapeHtml } from '../services/secrets.js';

/** on every answer of the wake handler: the page's script reloads once an answer lacks it */
export const WAKING_HEADER = 'X-Saas-Waking';
/** how often the page asks again (ms) */
const POLL_MS = 700;

/**
 * "Waking up" (EN/ES): asks the same address again every POLL_MS ms and, once the answer is no longer
 * the wake handler's (the route leads to the tenant again), loads it with a GET (a POST that woke it
 * is not sent twice). Without JavaScript, the meta refresh does the same more slowly.
 */
export function wakingPage(host: string): string {
  const name = escapeHtml(host);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Waking up / Despertando</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="5">
</head><body style="font-family:sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#333">
<h1 id="saas-waking">Waking up / Despertando&hellip;</h1>
<p>The Odoo at <b>${name}</b> was resting after a while without visits. It is starting now and opens by itself in a few seconds.</p>
<p>El Odoo de <b>${name}</b> descansaba tras un rato sin visitas. Se est&aacute; iniciando y se abrir&aacute; solo en unos segundos.</p>
<script>(function poll(){setTimeout(function(){fetch(location.href,{cache:"no-store",credentials:"same-origin"}).then(function(r){if(r.headers.get("${WAKING_HEADER}"))poll();else location.replace(location.href);},poll);},${POLL_MS});})();</script>
</body></html>`;
}
