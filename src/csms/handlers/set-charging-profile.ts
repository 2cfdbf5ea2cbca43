// SetChargingProfile (OCPP 2.0.1 K01): the rules are the smart-charging room's (src/ocpp/smart-charging). Without
// SmartChargingCtrlr.Available the CALL is answered NotSupported (K01.FR.29, as libocpp). The new composite
// schedules reach the EVSEs through the room's 'changed' event, held until this answer is sent (answer-first.ts).
import type { SetChargingProfileRequest, SetChargingProfileResponse } from '../ocpp-types.js';
import { createRPCError } from '../rpc.js';
import type { CallHandler } from './context.js';

export const setChargingProfile: CallHandler<SetChargingProfileRequest, SetChargingProfileResponse> = (req, ctx) => {
  const sc = ctx.service.smartCharging;
  if (!sc.available) throw createRPCError('NotSupported', 'the Charging Station does not support smart charging (SmartChargingCtrlr.Available)');
  return sc.set(req.evseId, req.chargingProfile);
};
