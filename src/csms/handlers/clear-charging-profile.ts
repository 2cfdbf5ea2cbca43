// ClearChargingProfile (OCPP 2.0.1 K10): by id, else by criteria (K10.FR.03/09), as libocpp; criteria naming
// ChargingStationExternalConstraints are refused with Unknown and InvalidValue (K10.FR.06).
import type { ClearChargingProfileRequest, ClearChargingProfileResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const clearChargingProfile: CallHandler<ClearChargingProfileRequest, ClearChargingProfileResponse> = (req, ctx) => {
  if (req.chargingProfileCriteria?.chargingProfilePurpose === 'ChargingStationExternalConstraints') {
    return { status: 'Unknown', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: 'ChargingStationExternalConstraintsInClearChargingProfileRequest' } };
  }
  return { status: ctx.service.smartCharging.clear(req) ? 'Accepted' : 'Unknown' };
};
