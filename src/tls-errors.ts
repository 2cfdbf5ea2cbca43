// Node's codes for TLS failures, one list for the bus connection (src/everest) and the CSMS link
// (src/csms). It imports nothing, so either room may use it without breaking the layering.

// The peer's certificate does not verify against the trusted CAs (OpenSSL verify results as Node names them).
const PEER_CERT_REJECTED: ReadonlySet<unknown> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED',
]);

// The peer refuses our client certificate, or wanted one and got none (TLS alerts as Node names them).
const CLIENT_CERT_REFUSED: ReadonlySet<unknown> = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/** The server's certificate did not verify (an error's `code`). */
export function peerCertRejected(code: unknown): boolean {
  return PEER_CERT_REJECTED.has(code);
}

/** The server refused our client certificate, or wanted one and got none (an error's `code`). */
export function clientCertRefused(code: unknown): boolean {
  return CLIENT_CERT_REFUSED.has(code);
}
