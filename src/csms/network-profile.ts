// The CSMS a station moving from OCPP201 connects to: with its component config imported and no csms_url,
// the URL and security profile come from the device model as libocpp's ConnectivityManager takes them
// (lib/everest/ocpp connectivity_manager.cpp, 2026.02.0): InternalCtrlr NetworkConnectionProfiles (a JSON
// array of SetNetworkProfileRequest) in the order of OCPPCommCtrlr NetworkConfigurationPriority, leaving out
// profiles below SecurityCtrlr SecurityProfile. TsOcpp keeps one link, so it takes the first usable slot
// (libocpp falls over to the next slot when one fails; TsOcpp does not, yet).
import { ConfigError } from '../errors.js';
import { isObject } from '../is-object.js';
import type { OcppService } from '../ocpp/service.js';
import type { SecurityProfile } from './config.js';
import { cvOf, SECURITY_PROFILE } from './variables.js';

export const NETWORK_CONNECTION_PROFILES = cvOf('InternalCtrlr', 'NetworkConnectionProfiles');
export const NETWORK_CONFIGURATION_PRIORITY = cvOf('OCPPCommCtrlr', 'NetworkConfigurationPriority');

export interface NetworkProfile {
  slot: number;
  /** As the profile gives it; a missing scheme is added for the security profile (libocpp Uri::parse_and_validate). */
  url: string;
  securityProfile: SecurityProfile;
}

const why = (msg: string): never => {
  throw new ConfigError('csms_url', `is empty and the imported device model gives no CSMS: ${msg}`);
};

/** The profile of the first usable slot; a ConfigError (naming csms_url) when there is none. */
export function readNetworkProfile(service: OcppService): NetworkProfile {
  const priority = service.readInternal(NETWORK_CONFIGURATION_PRIORITY) ?? '';
  const slots = priority.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (slots.length === 0 || !slots.every((n) => Number.isInteger(n))) why('OCPPCommCtrlr NetworkConfigurationPriority is not a list of slots');
  let profiles: unknown;
  try {
    profiles = JSON.parse(service.readInternal(NETWORK_CONNECTION_PROFILES) ?? '');
  } catch {
    why('InternalCtrlr NetworkConnectionProfiles is not JSON');
  }
  if (!Array.isArray(profiles)) why('InternalCtrlr NetworkConnectionProfiles is not a JSON array');
  const minimum = Number(service.readInternal(SECURITY_PROFILE) ?? '0') || 0;
  const list = profiles as unknown[];
  const reasons: string[] = [];
  for (const slot of slots) {
    const p = list.find((x) => isObject(x) && x.configurationSlot === slot);
    const data = isObject(p) ? p.connectionData : undefined;
    if (!isObject(data)) {
      reasons.push(`slot ${slot}: no profile`);
      continue;
    }
    const { ocppCsmsUrl: url, securityProfile: sp, ocppVersion } = data;
    if (typeof url !== 'string' || url.trim() === '') {
      reasons.push(`slot ${slot}: no ocppCsmsUrl`);
      continue;
    }
    if (sp !== 1 && sp !== 2 && sp !== 3) {
      reasons.push(`slot ${slot}: security profile ${String(sp)} (TsOcpp has 1 to 3)`);
      continue;
    }
    if (sp < minimum) {
      reasons.push(`slot ${slot}: security profile ${sp} is below SecurityCtrlr SecurityProfile ${minimum}`);
      continue;
    }
    if (ocppVersion !== undefined && ocppVersion !== 'OCPP20') {
      reasons.push(`slot ${slot}: ocppVersion ${JSON.stringify(ocppVersion)} (TsOcpp speaks OCPP 2.0.1)`);
      continue;
    }
    const trimmed = url.trim();
    return { slot, securityProfile: sp, url: trimmed.includes('://') ? trimmed : `${sp > 1 ? 'wss' : 'ws'}://${trimmed}` };
  }
  return why(reasons.join('; '));
}

/** libocpp's backwards compatibility: a last path segment equal to the identity is the identity, not part of the URL. */
export function withoutIdentity(url: string, identity: string): string {
  const tail = `/${identity}`;
  return url.endsWith(tail) ? url.slice(0, -tail.length) : url;
}
