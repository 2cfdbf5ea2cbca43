// The OCPP 2.0.1 shapes of authorization (Authorize, SendLocalList, GetLocalListVersion, ClearCache), written
// from the official JSON schema (ocpp-rpc's lib/schemas/ocpp2_0_1.json). src/ocpp knows no CSMS code, so they
// live in this room; src/csms sends and answers them as they are.
import type { IdTokenType } from '../transactions/ocpp-types.js';

export type { IdTokenType } from '../transactions/ocpp-types.js';

export interface AdditionalInfo {
  additionalIdToken: string;
  type: string;
}

/** IdTokenType of OCPP 2.0.1. */
export interface IdToken {
  idToken: string;
  type: IdTokenType;
  additionalInfo?: AdditionalInfo[];
}

export const AUTHORIZATION_STATUSES = [
  'Accepted', 'Blocked', 'ConcurrentTx', 'Expired', 'Invalid', 'NoCredit', 'NotAllowedTypeEVSE',
  'NotAtThisLocation', 'NotAtThisTime', 'Unknown',
] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];

export interface MessageContent {
  format: 'ASCII' | 'HTML' | 'URI' | 'UTF8';
  language?: string;
  content: string;
}

/** IdTokenInfoType of OCPP 2.0.1. */
export interface IdTokenInfo {
  status: AuthorizationStatus;
  cacheExpiryDateTime?: string;
  chargingPriority?: number;
  language1?: string;
  language2?: string;
  evseId?: number[];
  groupIdToken?: IdToken;
  personalMessage?: MessageContent;
}

export interface AuthorizeRequest {
  idToken: IdToken;
}

export type AuthorizeCertificateStatus =
  | 'Accepted' | 'SignatureError' | 'CertificateExpired' | 'CertificateRevoked' | 'NoCertificateAvailable'
  | 'CertChainError' | 'ContractCancelled';

export interface AuthorizeResponse {
  idTokenInfo: IdTokenInfo;
  certificateStatus?: AuthorizeCertificateStatus;
}

export interface AuthorizationData {
  idToken: IdToken;
  idTokenInfo?: IdTokenInfo;
}

export interface SendLocalListRequest {
  versionNumber: number;
  updateType: 'Differential' | 'Full';
  localAuthorizationList?: AuthorizationData[];
}

export type SendLocalListStatus = 'Accepted' | 'Failed' | 'VersionMismatch';

export interface StatusInfo {
  reasonCode: string;
  additionalInfo?: string;
}

export interface SendLocalListResponse {
  status: SendLocalListStatus;
  statusInfo?: StatusInfo;
}

export interface GetLocalListVersionResponse {
  versionNumber: number;
}

export interface ClearCacheResponse {
  status: 'Accepted' | 'Rejected';
  statusInfo?: StatusInfo;
}

/** The token as both lists key it: OCPP compares idToken and type (libocpp has_duplicate_in_list does the same). */
export function tokenKey(t: IdToken): string {
  return `${t.type}\u0000${t.idToken}`;
}
