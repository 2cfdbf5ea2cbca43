// OCPP 2.0.1's certificate enums and hash data to EVerest's evse_security types and back, as libocpp's
// evse_security_conversions and everest-core's OCPP201 EvseSecurity conversions map them.
import type {
  CertificateHashData, CertificateHashDataChain, CertificateSigningUse, DeleteCertificateStatus, GetCertificateIdUse,
  InstallCertificateStatus, InstallCertificateUse,
} from '../csms/certificate-types.js';
import type * as es from '../generated/releases/2026.02.0/types/evse_security.js';

export const leafType = (use: CertificateSigningUse): es.LeafCertificateType => (use === 'V2GCertificate' ? 'V2G' : 'CSMS');

const CA_TYPES: Record<InstallCertificateUse, es.CaCertificateType> = {
  V2GRootCertificate: 'V2G', MORootCertificate: 'MO', CSMSRootCertificate: 'CSMS', ManufacturerRootCertificate: 'MF',
};
export const caType = (use: InstallCertificateUse): es.CaCertificateType => CA_TYPES[use];

const TO_BUS_TYPE: Record<GetCertificateIdUse, es.CertificateType> = {
  V2GRootCertificate: 'V2GRootCertificate', MORootCertificate: 'MORootCertificate', CSMSRootCertificate: 'CSMSRootCertificate',
  V2GCertificateChain: 'V2GCertificateChain', ManufacturerRootCertificate: 'MFRootCertificate',
};
export const ALL_CERTIFICATE_ID_USES = Object.keys(TO_BUS_TYPE) as GetCertificateIdUse[];
export const busCertificateType = (use: GetCertificateIdUse): es.CertificateType => TO_BUS_TYPE[use];
const FROM_BUS_TYPE = new Map(Object.entries(TO_BUS_TYPE).map(([k, v]) => [v, k as GetCertificateIdUse]));

/** libocpp to_ocpp_v2(InstallCertificateResult): WriteError is Failed, every other refusal Rejected. */
export function installStatus(result: unknown): InstallCertificateStatus {
  if (result === 'Accepted') return 'Accepted';
  return result === 'WriteError' ? 'Failed' : 'Rejected';
}

export function deleteStatus(result: unknown): DeleteCertificateStatus {
  return result === 'Accepted' || result === 'NotFound' ? result : 'Failed';
}

export const busHashData = (h: CertificateHashData): es.CertificateHashData => ({
  hash_algorithm: h.hashAlgorithm, issuer_name_hash: h.issuerNameHash, issuer_key_hash: h.issuerKeyHash, serial_number: h.serialNumber,
});

export const ocppHashData = (h: es.CertificateHashData): CertificateHashData => ({
  hashAlgorithm: h.hash_algorithm, issuerNameHash: h.issuer_name_hash, issuerKeyHash: h.issuer_key_hash, serialNumber: h.serial_number,
});

/** One chain of get_installed_certificates; undefined for a type OCPP does not know. */
export function ocppHashDataChain(c: es.CertificateHashDataChain): CertificateHashDataChain | undefined {
  const certificateType = FROM_BUS_TYPE.get(c.certificate_type);
  if (certificateType === undefined) return undefined;
  const chain: CertificateHashDataChain = { certificateType, certificateHashData: ocppHashData(c.certificate_hash_data) };
  const children = c.child_certificate_hash_data ?? [];
  if (children.length > 0) chain.childCertificateHashData = children.map(ocppHashData);
  return chain;
}
