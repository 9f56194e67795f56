// The headers that protect every page, decided per request in proxy.ts: a Content Security Policy whose
// scripts must carry this response's nonce (Next adds it to its own scripts when it finds the policy on
// the request), and HSTS when the app is served over https.

/** a fresh, unguessable value for one response */
export function newNonce(): string {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  return btoa(String.fromCharCode(...bytes))
}

/**
 * Scripts: only those carrying the nonce, and what they load ('strict-dynamic'); no inline script without it.
 * Styles keep 'unsafe-inline': the UI kit and the charts set style attributes, which a nonce cannot cover.
 * 'unsafe-eval' only in development (React's dev tooling).
 */
export function contentSecurityPolicy(opts: { nonce: string; dev: boolean }) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${opts.nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${opts.dev ? ' ws:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** served over https (APP_URL says so): browsers remember to use https only, for two years */
export function isHttpsApp(appUrl: string | undefined) {
  return Boolean(appUrl?.toLowerCase().startsWith('https://'))
}

export function strictTransportSecurity(appUrl: string | undefined): string | null {
  return isHttpsApp(appUrl) ? 'max-age=63072000; includeSubDomains' : null
}
