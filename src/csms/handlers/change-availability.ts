// ChangeAvailability (OCPP 2.0.1 G03/G04) on the bus command's code path: OcppService.changeAvailability
// (Scheduled while a transaction runs). The StatusNotifications follow from the service's availability
// events, whoever made the change; those of this call go out after its answer (G03: the
// ChangeAvailabilityResponse precedes the StatusNotificationRequest; held by answer-first.ts).
import { toEverestChangeAvailability, toOcppChangeAvailabilityResponse } from '../mapping.js';
import type { ChangeAvailabilityRequest, ChangeAvailabilityResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const changeAvailability: CallHandler<ChangeAvailabilityRequest, ChangeAvailabilityResponse> = (req, ctx) =>
  toOcppChangeAvailabilityResponse(ctx.service.changeAvailability(toEverestChangeAvailability(req)));
