// The CSMS link's module config (manifest.yaml: csms_url, station_id, security_profile, csms_ca_file,
// client_cert_file, client_key_file). Types, defaults and the profile's values were checked against the
// manifest when the module received its config; here only what the manifest cannot say: the URL, the
// profile that fits it, the files each profile needs. A bad value stops the start with a ConfigError
// naming the key; an empty csms_url means "no link".
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, errorMessage } from '../errors.js';
import type { TsOcppConfig } from '../generated/module-config.js';

export type CsmsModuleConfig = Pick<TsOcppConfig, 'csms_url' | 'station_id' | 'security_profile' | 'csms_ca_file' | 'client_cert_file' | 'client_key_file'>;

export type SecurityProfile = TsOcppConfig['security_profile'];

export interface CsmsTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface CsmsConfig {
  /** ws:// or wss:// URL without the station id; the id is appended as the last path segment. */
  url: string;
  /** Empty: use the device model's SecurityCtrlr Identity. */
  stationId: string;
  securityProfile: SecurityProfile;
  tls: CsmsTls;
}

// OCPP 2.0.1 Part 4 (OCPP-J) 3.1.1 / Part 2 identifierString: the identity is at most 48 characters of
// this set. It is also the Basic auth user name.
const IDENTITY = /^[A-Za-z0-9*\-_=:+|@.]{1,48}$/;

function readPem(key: string, path: string): Buffer {
  try {
    return readFileSync(resolve(path));
  } catch (err) {
    throw new ConfigError(key, `cannot read ${path}: ${errorMessage(err)}`);
  }
}

export function checkStationId(key: string, id: string): string {
  if (!IDENTITY.test(id)) {
    throw new ConfigError(key, 'must be 1 to 48 characters of A-Z a-z 0-9 * - _ = : + | @ . (OCPP identifierString)');
  }
  return id;
}

/**
 * Security profiles (OCPP 2.0.1 Part 2 A00, "Security profiles"): 1 = Basic auth over ws://, 2 = TLS with
 * server certificate and Basic auth, 3 = TLS with server and client certificates (no password).
 */
export function readCsmsConfig(m: CsmsModuleConfig, leafFromSecurity = false): CsmsConfig | undefined {
  const raw = m.csms_url.trim();
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('csms_url', `'${raw}' is not a URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ConfigError('csms_url', 'must start with ws:// or wss://');
  if (url.search !== '' || url.hash !== '') throw new ConfigError('csms_url', 'must have no query or fragment (the station id is appended as a path segment)');
  if (url.username !== '' || url.password !== '') throw new ConfigError('csms_url', 'must carry no credentials (the password is SecurityCtrlr BasicAuthPassword)');

  const profile = m.security_profile;
  if (profile === 1 && url.protocol !== 'ws:') throw new ConfigError('csms_url', 'security profile 1 uses ws:// (TLS needs profile 2 or 3)');
  if (profile > 1 && url.protocol !== 'wss:') throw new ConfigError('csms_url', `security profile ${profile} needs wss://`);

  const tls: CsmsTls = {};
  const caFile = m.csms_ca_file.trim();
  const certFile = m.client_cert_file.trim();
  const keyFile = m.client_key_file.trim();
  // Without a CA file, Node's built-in roots verify the CSMS certificate.
  if (profile > 1 && caFile !== '') tls.ca = readPem('csms_ca_file', caFile);
  // With an evse_security connection the client certificate comes from it (the files, when given, are the fallback).
  if (profile === 3 && leafFromSecurity) {
    if (certFile !== '' && keyFile !== '') {
      tls.cert = readPem('client_cert_file', certFile);
      tls.key = readPem('client_key_file', keyFile);
    }
  } else if (profile === 3) {
    if (certFile === '') throw new ConfigError('client_cert_file', 'security profile 3 needs a client certificate');
    if (keyFile === '') throw new ConfigError('client_key_file', 'security profile 3 needs the client certificate key');
    tls.cert = readPem('client_cert_file', certFile);
    tls.key = readPem('client_key_file', keyFile);
  }

  const stationId = m.station_id.trim();
  if (stationId !== '') checkStationId('station_id', stationId);
  // ocpp-rpc appends "/" + identity to the endpoint.
  const href = url.href.replace(/\/+$/, '');
  return { url: href, stationId, securityProfile: profile, tls };
}
