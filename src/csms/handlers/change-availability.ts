// ChangeAvailability (OCPP 2.0.1 G03/G04) on the bus command's code path: OcppService.changeAvailability
// (Scheduled while a transaction runs). The StatusNotifications follow from the service's availability
// events, whoever made the change.
import { toEverestChangeAvailability, toOcppChangeAvailabilityResponse } from '../mapping.js';
import type { ChangeAvailabilityRequest, ChangeAvailabilityResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const changeAvailability: CallHandler<ChangeAvailabilityRequest, ChangeAvailabilityResponse> = (req, ctx) =>
  toOcppChangeAvailabilityResponse(ctx.service.changeAvailability(toEverestChangeAvailability(req)));
