// What the CSMS link may ask of the station's `security` requirement (EVerest's evse_security), handed in by the
// bus side (src/module/security-control.ts): the link knows no MQTT. As libocpp's EvseSecurity interface is used
// by its security functional block: CSRs, the leaf certificate, CA certificates, and the client certificate of
// security profile 3. Results are already OCPP's (the bus side maps EVerest's enums).
import type {
  CertificateHashData, CertificateHashDataChain, CertificateSigningUse, DeleteCertificateStatus, GetCertificateIdUse,
  InstallCertificateStatus, InstallCertificateUse,
} from './certificate-types.js';

export interface CsrSubject {
  country: string;
  organization: string;
  common: string;
  useTpm: boolean;
}

/** evse_security's InstallCertificateResult (the same in 2023.12 and 2026.02): Accepted or why not. */
export type LeafInstallResult = string;

export interface ClientCertificate {
  cert: Buffer;
  key: Buffer;
  passphrase?: string;
}

export interface SecurityControl {
  /** generate_certificate_signing_request; the PEM CSR, or why none was made (a status of evse_security). */
  generateCsr(use: CertificateSigningUse, subject: CsrSubject): Promise<{ csr: string } | { failed: string }>;
  /** update_leaf_certificate: 'Accepted' or evse_security's reason. */
  updateLeafCertificate(chain: string, use: CertificateSigningUse): Promise<LeafInstallResult>;
  /** install_ca_certificate, mapped to OCPP's InstallCertificateStatus (libocpp evse_security_conversions). */
  installCaCertificate(pem: string, use: InstallCertificateUse): Promise<InstallCertificateStatus>;
  /** delete_certificate, mapped to OCPP's DeleteCertificateStatus. */
  deleteCertificate(hash: CertificateHashData): Promise<DeleteCertificateStatus>;
  /** get_installed_certificates of these types (all five when undefined). */
  installedCertificates(types: GetCertificateIdUse[] | undefined): Promise<CertificateHashDataChain[]>;
  /** get_leaf_expiry_days_count: days until the leaf of this use expires (0 when none is installed). */
  leafExpiryDays(use: CertificateSigningUse): Promise<number>;
  /**
   * verify_certificate of a leaf of this type (libocpp's verify_certificate; a firmware signing certificate is MF):
   * 'Valid', or evse_security's reason (Expired, InvalidChain, ...). Rejects when the call fails.
   */
  verifyCertificate(pem: string, type: 'MF'): Promise<string>;
  /**
   * The CSMS client certificate (leaf type CSMS, PEM) for security profile 3, read from the files
   * get_leaf_certificate_info (2023.12: get_key_pair) names; undefined when evse_security has none.
   */
  clientCertificate(): Promise<ClientCertificate | undefined>;
  /**
   * The CA bundle (PEM) that verifies the CSMS server certificate, when evse_security has a CSMS CA installed
   * (is_ca_certificate_installed, then the file get_verify_file names); undefined otherwise.
   */
  csmsCaBundle(): Promise<Buffer | undefined>;
}
