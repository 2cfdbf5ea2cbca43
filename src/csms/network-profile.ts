// Network connection profiles (OCPP 2.0.1 B09/B10), kept as libocpp keeps them (lib/everest/ocpp
// connectivity_manager.cpp and provisioning.cpp, 2026.02.0): InternalCtrlr NetworkConnectionProfiles is a JSON
// array of SetNetworkProfileRequest, tried in the order of OCPPCommCtrlr NetworkConfigurationPriority, leaving
// out profiles below SecurityCtrlr SecurityProfile. With the module config's csms_url set, csms_url is the
// profile of the first slot in NetworkConfigurationPriority (what that slot stores is not used, and
// SetNetworkProfile for it is Rejected); the other slots are the fallbacks. Without csms_url, with an imported
// component config, every slot comes from the device model.
import { ConfigError } from '../errors.js';
import { isObject } from '../is-object.js';
import type { OcppService } from '../ocpp/service.js';
import type { SecurityProfile } from './config.js';
import type { SetNetworkProfileRequest } from './ocpp-types.js';
import { cvOf, readInt, SECURITY_PROFILE } from './variables.js';

export const NETWORK_CONNECTION_PROFILES = cvOf('InternalCtrlr', 'NetworkConnectionProfiles');
export const NETWORK_CONFIGURATION_PRIORITY = cvOf('OCPPCommCtrlr', 'NetworkConfigurationPriority');
export const NETWORK_PROFILE_CONNECTION_ATTEMPTS = cvOf('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts');
export const ACTIVE_NETWORK_PROFILE = cvOf('OCPPCommCtrlr', 'ActiveNetworkProfile');

export interface NetworkProfile {
  slot: number;
  /** As the profile gives it; a missing scheme is added for the security profile (libocpp Uri::parse_and_validate). */
  url: string;
  securityProfile: SecurityProfile;
}

/** The slots of NetworkConfigurationPriority in order; undefined when it is not a list of integers. */
export function prioritySlots(service: OcppService): number[] | undefined {
  const priority = service.readInternal(NETWORK_CONFIGURATION_PRIORITY) ?? '';
  const slots = priority.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  return slots.length > 0 && slots.every((n) => Number.isInteger(n)) ? slots : undefined;
}

function storedProfiles(service: OcppService): unknown[] | undefined {
  try {
    const v: unknown = JSON.parse(service.readInternal(NETWORK_CONNECTION_PROFILES) ?? '');
    return Array.isArray(v) ? (v as unknown[]) : undefined;
  } catch {
    return undefined;
  }
}

function currentSecurityProfile(service: OcppService): number {
  return readInt(service, SECURITY_PROFILE, 0);
}

/** Why the connection data cannot be used by TsOcpp, or undefined. */
function unusable(data: Record<string, unknown>, minimum: number): string | undefined {
  const { ocppCsmsUrl: url, securityProfile: sp, ocppVersion, ocppTransport } = data;
  if (typeof url !== 'string' || url.trim() === '') return 'no ocppCsmsUrl';
  if (sp !== 1 && sp !== 2 && sp !== 3) return `security profile ${String(sp)} (TsOcpp has 1 to 3)`;
  if (sp < minimum) return `security profile ${sp} is below SecurityCtrlr SecurityProfile ${minimum}`;
  if (ocppVersion !== undefined && ocppVersion !== 'OCPP20') return `ocppVersion ${JSON.stringify(ocppVersion)} (TsOcpp speaks OCPP 2.0.1)`;
  if (ocppTransport !== undefined && ocppTransport !== 'JSON') return `ocppTransport ${JSON.stringify(ocppTransport)} (TsOcpp speaks OCPP-J)`;
  const full = withScheme(url, sp);
  let parsed: URL;
  try {
    parsed = new URL(full);
  } catch {
    return 'ocppCsmsUrl is not a URL';
  }
  if (parsed.protocol !== (sp > 1 ? 'wss:' : 'ws:')) return `security profile ${sp} needs ${sp > 1 ? 'wss' : 'ws'}://`;
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') return 'ocppCsmsUrl carries credentials, a query or a fragment';
  return undefined;
}

function withScheme(url: string, sp: number): string {
  const trimmed = url.trim();
  return trimmed.includes('://') ? trimmed : `${sp > 1 ? 'wss' : 'ws'}://${trimmed}`;
}

/** The usable profiles in NetworkConfigurationPriority order, and why the others are left out. */
export function readNetworkProfiles(service: OcppService): { profiles: NetworkProfile[]; reasons: string[] } {
  const slots = prioritySlots(service);
  if (!slots) return { profiles: [], reasons: ['OCPPCommCtrlr NetworkConfigurationPriority is not a list of slots'] };
  const list = storedProfiles(service);
  if (!list) return { profiles: [], reasons: ['InternalCtrlr NetworkConnectionProfiles is not a JSON array'] };
  const minimum = currentSecurityProfile(service);
  const profiles: NetworkProfile[] = [];
  const reasons: string[] = [];
  for (const slot of slots) {
    const p = list.find((x) => isObject(x) && x.configurationSlot === slot);
    const data = isObject(p) ? p.connectionData : undefined;
    if (!isObject(data)) {
      reasons.push(`slot ${slot}: no profile`);
      continue;
    }
    const why = unusable(data, minimum);
    if (why !== undefined) {
      reasons.push(`slot ${slot}: ${why}`);
      continue;
    }
    const sp = data.securityProfile as SecurityProfile;
    profiles.push({ slot, securityProfile: sp, url: withScheme(data.ocppCsmsUrl as string, sp) });
  }
  return { profiles, reasons };
}

/** The profile of the first usable slot; a ConfigError (naming csms_url) when there is none. */
export function readNetworkProfile(service: OcppService): NetworkProfile {
  const { profiles, reasons } = readNetworkProfiles(service);
  const first = profiles[0];
  if (!first) throw new ConfigError('csms_url', `is empty and the imported device model gives no CSMS: ${reasons.join('; ')}`);
  return first;
}

/** libocpp's backwards compatibility: a last path segment equal to the identity is the identity, not part of the URL. */
export function withoutIdentity(url: string, identity: string): string {
  const tail = `/${identity}`;
  return url.endsWith(tail) ? url.slice(0, -tail.length) : url;
}

/** The slots SetNetworkProfile may use: NetworkConfigurationPriority's valuesList (1 and up when it has none). */
function allowedSlot(service: OcppService, slot: number): boolean {
  const entry = service.allVariables().find((e) => e.component.name === NETWORK_CONFIGURATION_PRIORITY.component.name
    && e.component.evse === undefined && e.variable.name === NETWORK_CONFIGURATION_PRIORITY.variable.name);
  const list = entry?.variable_characteristics.values_list;
  if (list === undefined || list.trim() === '') return slot >= 1;
  return list.split(',').map((s) => Number(s.trim())).includes(slot);
}

/**
 * B09 SetNetworkProfile: why the profile is Rejected, or undefined. As libocpp: a security profile below
 * SecurityCtrlr SecurityProfile is Rejected, and so is a URL that does not parse; TsOcpp also rejects what it
 * cannot connect with (another OCPP version or transport, security profile 0) and a slot that is not one of
 * NetworkConfigurationPriority's (its valuesList) or that csms_url holds (heldSlot).
 */
export function checkNetworkProfile(service: OcppService, req: SetNetworkProfileRequest, heldSlot: number | undefined): string | undefined {
  if (!allowedSlot(service, req.configurationSlot)) return `configurationSlot ${req.configurationSlot} is not one of OCPPCommCtrlr NetworkConfigurationPriority's slots`;
  if (req.configurationSlot === heldSlot) return `configurationSlot ${req.configurationSlot} is the module config's csms_url`;
  const minimum = currentSecurityProfile(service);
  if (req.connectionData.securityProfile < minimum) return `securityProfile ${req.connectionData.securityProfile} is lower than the current ${minimum}`;
  return unusable(req.connectionData as unknown as Record<string, unknown>, minimum);
}

/** Stores the profile in its slot of NetworkConnectionProfiles (replacing what the slot had), as libocpp does. */
export function storeNetworkProfile(service: OcppService, req: SetNetworkProfileRequest): void {
  const list = storedProfiles(service) ?? [];
  const entry = { configurationSlot: req.configurationSlot, connectionData: req.connectionData };
  const at = list.findIndex((x) => isObject(x) && x.configurationSlot === req.configurationSlot);
  if (at >= 0) list[at] = entry;
  else list.push(entry);
  service.setInternal(NETWORK_CONNECTION_PROFILES, JSON.stringify(list));
}

/**
 * A05 / B10: why a CSMS SetVariables of OCPPCommCtrlr NetworkConfigurationPriority is Rejected, or undefined. As
 * libocpp provisioning.cpp validate_set_variable: every slot named must be an integer holding a profile (the
 * slot csms_url holds counts, with its security profile: held). A05 (upgrade only): a list whose first profile
 * has a lower security profile than SecurityCtrlr SecurityProfile is Rejected, so a CSMS cannot move the
 * station down; A05.FR.04: equal or higher is Accepted.
 */
export function checkNetworkPriority(service: OcppService, value: string, held: { slot: number; securityProfile: number } | undefined): string | undefined {
  const parts = value.split(',').map((s) => s.trim());
  const slots = parts.map(Number);
  if (parts.some((s) => !/^[0-9]+$/.test(s))) return 'NetworkConfigurationPriority is not a comma-separated list of slots';
  const list = storedProfiles(service) ?? [];
  const profileOf = (slot: number): number | undefined => {
    if (held?.slot === slot) return held.securityProfile;
    const p = list.find((x) => isObject(x) && x.configurationSlot === slot);
    const data = isObject(p) ? p.connectionData : undefined;
    return isObject(data) && typeof data.securityProfile === 'number' ? data.securityProfile : undefined;
  };
  for (const slot of slots) if (profileOf(slot) === undefined) return `configurationSlot ${slot} holds no network profile`;
  const first = profileOf(slots[0]!)!;
  const current = currentSecurityProfile(service);
  if (first < current) return `configurationSlot ${slots[0]!} has security profile ${first}, lower than the current ${current}`;
  return undefined;
}
