/** Replaces the password (and token-like query values) in every URL found in `text`. */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)@/gi, '$1***@')
    .replace(/([?&](?:password|passwd|token|api_key|apikey|key|secret|signature)=)[^&\s]+/gi, '$1***');
}
