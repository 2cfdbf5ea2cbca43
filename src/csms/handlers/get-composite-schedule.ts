// GetCompositeSchedule (OCPP 2.0.1 K08): the composite schedule of the EVSE (0: the station) from now for the
// requested duration, in the requested unit or the first of SmartChargingCtrlr.RateUnit; Rejected for an EVSE that
// does not exist or a unit the station does not list (libocpp get_composite_schedule_internal).
import type { GetCompositeScheduleRequest, GetCompositeScheduleResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const getCompositeSchedule: CallHandler<GetCompositeScheduleRequest, GetCompositeScheduleResponse> = (req, ctx) => {
  const r = ctx.service.smartCharging.composite(req.evseId, req.duration, req.chargingRateUnit, ctx.now());
  return r.status === 'Accepted' ? { status: 'Accepted', schedule: r.schedule } : { status: 'Rejected', statusInfo: r.statusInfo };
};
