// SetNetworkProfile (OCPP 2.0.1 B09), as libocpp provisioning.cpp handle_set_network_profile_req: checked
// (network-profile.ts checkNetworkProfile), then stored in its slot of InternalCtrlr NetworkConnectionProfiles
// and answered Accepted, with the security event ReconfigurationOfSecurityParameters. A stored profile is used
// when its slot is in OCPPCommCtrlr NetworkConfigurationPriority and the link moves on to it (connection.ts);
// nothing reconnects at once (B09: the CSMS sets the priority and resets when it wants the new profile).
import { checkNetworkProfile, storeNetworkProfile } from '../network-profile.js';
import type { SetNetworkProfileRequest, SetNetworkProfileResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const setNetworkProfile: CallHandler<SetNetworkProfileRequest, SetNetworkProfileResponse> = (req, ctx) => {
  const why = checkNetworkProfile(ctx.service, req, ctx.station.heldSlot);
  if (why !== undefined) {
    ctx.log.warn({ slot: req.configurationSlot, why }, 'SetNetworkProfile rejected');
    return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidNetworkConf', additionalInfo: why.slice(0, 512) } };
  }
  try {
    storeNetworkProfile(ctx.service, req);
  } catch (err) {
    ctx.log.error({ err, slot: req.configurationSlot }, 'SetNetworkProfile could not be stored');
    return { status: 'Failed', statusInfo: { reasonCode: 'WriteFailed', additionalInfo: 'InternalCtrlr NetworkConnectionProfiles could not be written' } };
  }
  const info = `Received and stored a new network connection profile at configurationSlot ${req.configurationSlot}`;
  ctx.log.info({ slot: req.configurationSlot, url: req.connectionData.ocppCsmsUrl }, 'SetNetworkProfile stored');
  ctx.after(() => ctx.service.securityEvent({ type: 'ReconfigurationOfSecurityParameters', info }));
  return { status: 'Accepted' };
};
