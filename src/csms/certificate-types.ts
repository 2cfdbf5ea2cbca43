// The OCPP 2.0.1 certificate messages (A02, A03, M03-M05) in OCPP's own camelCase, only the fields TsOcpp uses;
// strict mode checks every message against the official schemas both ways.
import type { OcppStatusInfo } from './ocpp-types.js';

export type CertificateSigningUse = 'ChargingStationCertificate' | 'V2GCertificate';
export type InstallCertificateUse = 'V2GRootCertificate' | 'MORootCertificate' | 'CSMSRootCertificate' | 'ManufacturerRootCertificate';
export type GetCertificateIdUse = 'V2GRootCertificate' | 'MORootCertificate' | 'CSMSRootCertificate' | 'V2GCertificateChain' | 'ManufacturerRootCertificate';
export type InstallCertificateStatus = 'Accepted' | 'Rejected' | 'Failed';
export type DeleteCertificateStatus = 'Accepted' | 'Failed' | 'NotFound';

export interface CertificateHashData {
  hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

export interface CertificateHashDataChain {
  certificateType: GetCertificateIdUse;
  certificateHashData: CertificateHashData;
  childCertificateHashData?: CertificateHashData[];
}

export interface SignCertificateRequest {
  csr: string;
  certificateType?: CertificateSigningUse;
}
export interface SignCertificateResponse {
  status: 'Accepted' | 'Rejected';
  statusInfo?: OcppStatusInfo;
}
export interface CertificateSignedRequest {
  certificateChain: string;
  certificateType?: CertificateSigningUse;
}
export interface CertificateSignedResponse {
  status: 'Accepted' | 'Rejected';
  statusInfo?: OcppStatusInfo;
}
export interface InstallCertificateRequest {
  certificateType: InstallCertificateUse;
  certificate: string;
}
export interface InstallCertificateResponse {
  status: InstallCertificateStatus;
  statusInfo?: OcppStatusInfo;
}
export interface DeleteCertificateRequest {
  certificateHashData: CertificateHashData;
}
export interface DeleteCertificateResponse {
  status: DeleteCertificateStatus;
  statusInfo?: OcppStatusInfo;
}
export interface GetInstalledCertificateIdsRequest {
  certificateType?: GetCertificateIdUse[];
}
export interface GetInstalledCertificateIdsResponse {
  status: 'Accepted' | 'NotFound';
  certificateHashDataChain?: CertificateHashDataChain[];
  statusInfo?: OcppStatusInfo;
}
