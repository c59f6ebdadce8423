/**
 * The renderer's Content-Security-Policy, sent as a header with every app:// response. Scripts and
 * styles come only from the app's own files: htm parses templates at runtime without eval, so no
 * 'unsafe-eval' is needed, and nothing inline runs. The renderer talks to the main process over IPC,
 * never over the network, so it may not frame, post forms or load anything foreign.
 */
const DIRECTIVES: Record<string, string> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'manifest-src': "'self'",
  'object-src': "'none'",
  'frame-src': "'none'",
  'worker-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};

export const CONTENT_SECURITY_POLICY = Object.entries(DIRECTIVES)
  .map(([directive, sources]) => `${directive} ${sources}`)
  .join('; ');
