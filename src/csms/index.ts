// The CSMS link of TsOcpp, from module config to a running link attached to the OCPP service. Knows
// nothing about MQTT: the bus side hands in the service and, optionally, a function that forwards a CSMS
// DataTransfer to the bus requirement `data_transfer`.
import type { Logger } from '../log.js';
import type { DataTransferRequest, DataTransferResponse } from '../generated/types/ocpp.js';
import type { OcppService } from '../ocpp/service.js';
import { ConfigError } from '../errors.js';
import { checkStationId, readCsmsConfig, type CsmsConfig, type CsmsModuleConfig } from './config.js';
import type { DataTransferForwarder } from './handlers/index.js';
import type { SystemControl } from './system-control.js';
import type { SecurityControl } from './security-control.js';
import type { AuthControl } from './auth-control.js';
import type { EvseControl } from './evse-control.js';
import { OcppCsmsLink } from './link.js';
import type { Timers } from './timers.js';
import { prioritySlots, readNetworkProfile, readNetworkProfiles, withoutIdentity } from './network-profile.js';
import type { LinkProfile } from './connection.js';
import { IDENTITY, readInt, readString, SECURITY_PROFILE } from './variables.js';

export { OcppCsmsLink } from './link.js';
export { readCsmsConfig, type CsmsConfig, type CsmsModuleConfig, type SecurityProfile } from './config.js';
export type { DataTransferForwarder } from './handlers/index.js';
export type { EvseControl, EvseStopReason } from './evse-control.js';
export type { AuthControl, RemoteStartToken, WithdrawResult } from './auth-control.js';

export interface CsmsOptions {
  /** The module config (csms_url, station_id, security_profile, csms_ca_file, client_cert_file, client_key_file), checked. */
  moduleConfig: CsmsModuleConfig;
  service: OcppService;
  /**
   * A component config was imported (module config component_config_dir / DeviceModelConfigPath): with an
   * empty csms_url, the URL and security profile come from its NetworkConnectionProfiles (network-profile.ts).
   */
  fromDeviceModel?: boolean;
  log: Logger;
  forwardDataTransfer?: DataTransferForwarder;
  /** The EVSEs' evse_manager cmds, from the bus side (src/module/transaction-control.ts). */
  evseControl?: EvseControl;
  /** auth_provider and the auth requirement, from the bus side (src/module/auth-control.ts). */
  authControl?: AuthControl;
  /** The system requirement, from the bus side (src/module/system-control.ts). */
  systemControl?: SystemControl;
  /** The security (evse_security) requirement, from the bus side (src/module/security-control.ts). */
  securityControl?: SecurityControl;
  timers?: Timers;
}

export interface Csms {
  readonly link: OcppCsmsLink;
  /** The bus data_transfer command while a CSMS link is configured. */
  dataTransfer(req: DataTransferRequest): Promise<DataTransferResponse>;
  close(): Promise<void>;
}

/**
 * Without csms_url: undefined (no link; is_connected stays false). Otherwise the link is attached to the
 * service, which starts it unless the service is stopped. SecurityCtrlr SecurityProfile and Identity are
 * written from the config so a CSMS reading the device model sees what is in force.
 */
export function startCsms(opts: CsmsOptions): Csms | undefined {
  const csmsUrl = opts.moduleConfig.csms_url.trim() !== '';
  const profile = opts.fromDeviceModel && !csmsUrl ? readNetworkProfile(opts.service) : undefined;
  const moduleConfig = profile ? { ...opts.moduleConfig, csms_url: profile.url, security_profile: profile.securityProfile } : opts.moduleConfig;
  const config: CsmsConfig | undefined = readCsmsConfig(moduleConfig, opts.securityControl !== undefined);
  if (!config) return undefined;
  const log = opts.log.child({ part: 'csms' });
  const stationId = config.stationId !== '' ? config.stationId : readString(opts.service, IDENTITY) ?? '';
  if (stationId === '') throw new ConfigError('station_id', 'required with csms_url (or set SecurityCtrlr Identity)');
  checkStationId('station_id', stationId);
  if (profile) {
    config.url = withoutIdentity(config.url, stationId);
    log.info({ slot: profile.slot }, 'CSMS URL and security profile taken from the device model\'s NetworkConnectionProfiles');
  }
  // A05 across a restart: after the CSMS moved the station to a higher security profile (recorded once connected
  // with it) that a stored network profile still offers, csms_url's lower profile must not undo it: the recorded
  // SecurityProfile stays and csms_url is left out below (as libocpp drops the lower profiles after an upgrade).
  const recorded = readInt(opts.service, SECURITY_PROFILE, 0);
  const upgraded = csmsUrl && recorded > config.securityProfile
    && readNetworkProfiles(opts.service).profiles.some((p) => p.securityProfile >= recorded);
  if (upgraded) log.info({ security_profile: recorded }, 'the CSMS upgraded the security profile: csms_url\'s lower profile is left out');
  const record = upgraded ? [[IDENTITY, stationId]] as const : [[SECURITY_PROFILE, String(config.securityProfile)], [IDENTITY, stationId]] as const;
  for (const [cv, value] of record) {
    try {
      opts.service.setInternal(cv, value);
    } catch (err) {
      log.warn({ variable: `${cv.component.name}.${cv.variable.name}`, err }, 'could not record the CSMS setting in the device model');
    }
  }
  // csms_url holds the first slot of NetworkConfigurationPriority (network-profile.ts).
  const heldSlot = csmsUrl && !upgraded ? prioritySlots(opts.service)?.[0] ?? 1 : undefined;
  // In NetworkConfigurationPriority order, csms_url at the place of its slot (first at start; a new priority set
  // by the CSMS may move it, A05); csms_url below SecurityCtrlr SecurityProfile (after an upgrade) is left out
  // while another profile remains, as libocpp leaves out lower slots.
  const profiles = (): LinkProfile[] => {
    const first: LinkProfile = { slot: csmsUrl ? heldSlot : profile?.slot, config };
    const out: LinkProfile[] = [];
    const slots = prioritySlots(opts.service) ?? [];
    const heldAt = first.slot === undefined ? -1 : slots.indexOf(first.slot);
    const held = upgraded || (heldAt >= 0 && config.securityProfile < readInt(opts.service, SECURITY_PROFILE, 0)) ? undefined : first;
    if (held && heldAt <= 0) out.push(held);
    for (const p of readNetworkProfiles(opts.service).profiles) {
      // The slot csms_url holds, unless csms_url is left out (its stored profile then serves).
      if (held && p.slot === first.slot) continue;
      if (held && heldAt > 0 && !out.includes(held) && slots.indexOf(p.slot) > heldAt) out.push(held);
      try {
        const c = readCsmsConfig({ ...opts.moduleConfig, csms_url: p.url, security_profile: p.securityProfile });
        if (c) out.push({ slot: p.slot, config: { ...c, url: withoutIdentity(c.url, stationId) } });
      } catch (err) {
        log.warn({ slot: p.slot, err }, 'network profile left out');
      }
    }
    if (held && !out.includes(held)) out.push(held);
    return out.length > 0 ? out : [first];
  };
  const link = new OcppCsmsLink({
    profiles, stationId, service: opts.service, password: opts.service.basicAuth, log,
    ...(heldSlot !== undefined ? { heldSlot, heldSecurityProfile: config.securityProfile } : {}),
    ...(opts.forwardDataTransfer ? { forwardDataTransfer: opts.forwardDataTransfer } : {}),
    ...(opts.evseControl ? { evseControl: opts.evseControl } : {}),
    ...(opts.authControl ? { authControl: opts.authControl } : {}),
    ...(opts.systemControl ? { systemControl: opts.systemControl } : {}),
    ...(opts.securityControl ? { securityControl: opts.securityControl } : {}),
    ...(opts.timers ? { timers: opts.timers } : {}),
  });
  opts.service.attachLink(link);
  log.info({ url: config.url, identity: stationId, security_profile: config.securityProfile }, 'CSMS link configured');
  let closed = false;
  return {
    link,
    dataTransfer: (req) => link.dataTransferFromBus(req),
    async close() {
      if (closed) return;
      closed = true;
      await link.close();
    },
  };
}
