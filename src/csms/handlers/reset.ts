// Reset (OCPP 2.0.1 B11/B12). TsOcpp is one module of a charger and does not reboot the machine or its own
// process. Its reset is a communication reset, done after the answer: the ResetOrReboot security event is
// recorded (critical, so it reaches the CSMS), the connection is closed once the calls in flight are answered,
// and opened again at once with BootNotification reason RemoteReset; values of non-persistent variables keep
// their values until the process restarts. Decisions as libocpp provisioning.cpp handle_reset_req:
// - evseId: the EVSE must exist and its AllowReset must not be false (B11.FR.10), else Rejected. TsOcpp has
//   no EVSE hardware to reset, so an accepted EVSE reset changes nothing but the log.
// - OnIdle while a transaction runs (on the EVSE, or any EVSE for the station): Scheduled, done when the
//   transactions ended (B12.FR.01).
import type { ResetRequest, ResetResponse } from '../ocpp-types.js';
import { cvOf, readBool } from '../variables.js';
import type { CallHandler } from './context.js';

export const reset: CallHandler<ResetRequest, ResetResponse> = (req, ctx) => {
  const evses = ctx.service.availability().evses;
  if (req.evseId !== undefined) {
    const evse = evses.find((e) => e.id === req.evseId);
    if (!evse) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse', additionalInfo: `EVSE ${req.evseId} does not exist` } };
    if (!readBool(ctx.service, cvOf('EVSE', 'AllowReset', undefined, { id: evse.id }), true)) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled', additionalInfo: 'EVSE AllowReset is false' } };
    }
    const busy = evse.transaction_active;
    ctx.log.info({ evse: evse.id, type: req.type }, 'EVSE reset accepted; TsOcpp has no EVSE hardware to reset');
    return { status: busy && req.type === 'OnIdle' ? 'Scheduled' : 'Accepted' };
  }
  const busy = evses.some((e) => e.transaction_active);
  const onIdle = req.type === 'OnIdle' && busy;
  ctx.after(() => ctx.station.reset({ onIdle }));
  return { status: onIdle ? 'Scheduled' : 'Accepted' };
};
