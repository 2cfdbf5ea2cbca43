// GetChargingProfiles (OCPP 2.0.1 K09): Accepted when profiles match, then, after the answer, one
// ReportChargingProfiles per EVSE with the request's requestId (K09.FR.01), tbc true on all but the last;
// NoProfiles and nothing more when none match (libocpp handle_get_charging_profiles_req).
import type { GetChargingProfilesRequest, GetChargingProfilesResponse, ReportChargingProfilesRequest } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const getChargingProfiles: CallHandler<GetChargingProfilesRequest, GetChargingProfilesResponse> = (req, ctx) => {
  const reports = ctx.service.smartCharging.get({ ...req.chargingProfile, ...(req.evseId !== undefined ? { evseId: req.evseId } : {}) });
  if (reports.length === 0) return { status: 'NoProfiles' };
  const messages: ReportChargingProfilesRequest[] = reports.map((r, i) => ({
    requestId: req.requestId, chargingLimitSource: r.chargingLimitSource, tbc: i < reports.length - 1, evseId: r.evseId, chargingProfile: r.chargingProfile,
  }));
  ctx.after(() => ctx.station.reportChargingProfiles(messages));
  return { status: 'Accepted' };
};
