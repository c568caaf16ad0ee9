/**
 * The headers every response of the live view carries: its content type and
 * a policy that lets the page load only its own scripts, styles and images
 * and talk only to this server.
 *
 * @module
 */

/** No inline script or style, nothing from another origin, no framing, no forms. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers of a live-view response of the given content type. */
export function securityHeaders(contentType: string): Headers {
  return new Headers({
    "content-type": contentType,
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "x-frame-options": "DENY",
    // Every response is the state of now: figures, files that are rewritten.
    "cache-control": "no-store",
  });
}
