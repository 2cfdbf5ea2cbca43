// Reset (OCPP 2.0.1 B11/B12), decided as libocpp provisioning.cpp handle_reset_req with everest-core OCPP201's
// callbacks, carried out after the answer (link.ts).
// With a `system` connection (everest-core's OCPP201 wiring):
// - the station: system.is_reset_allowed first (false: Rejected); OnIdle while a transaction runs: Scheduled,
//   and system.reset(scheduled true) once every transaction ended (B12.FR.01); Immediate: Accepted, the running
//   transactions stopped with HardReset (Ended ImmediateReset / ResetCommand, B12.FR.04/08), then system.reset.
// - one EVSE: Rejected, as OCPP201's is_reset_allowed_callback answers for any evseId: EVerest's system
//   interface resets the whole station, and no module resets a single EVSE.
// Without one, TsOcpp does not reboot the machine or its own process: a station reset is a communication
// reset (ResetOrReboot recorded, the connection closed once the calls in flight are answered and opened again
// with BootNotification reason RemoteReset; non-persistent variables keep their values), and an EVSE reset is
// accepted and only logged.
// Both ways, evseId must name an existing EVSE whose AllowReset is not false (B11.FR.10).
import type { ResetRequest, ResetResponse } from '../ocpp-types.js';
import { cvOf, readBool } from '../variables.js';
import type { CallHandler } from './context.js';

export const reset: CallHandler<ResetRequest, ResetResponse> = async (req, ctx) => {
  const evses = ctx.service.availability().evses;
  if (req.evseId !== undefined) {
    const evse = evses.find((e) => e.id === req.evseId);
    if (!evse) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse', additionalInfo: `EVSE ${req.evseId} does not exist` } };
    if (ctx.systemControl) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest', additionalInfo: 'only the whole station is reset (system interface)' } };
    }
    if (!readBool(ctx.service, cvOf('EVSE', 'AllowReset', undefined, { id: evse.id }), true)) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled', additionalInfo: 'EVSE AllowReset is false' } };
    }
    const busy = evse.transaction_active;
    ctx.log.info({ evse: evse.id, type: req.type }, 'EVSE reset accepted; TsOcpp has no EVSE hardware to reset');
    return { status: busy && req.type === 'OnIdle' ? 'Scheduled' : 'Accepted' };
  }
  const busy = evses.filter((e) => e.transaction_active).map((e) => e.id);
  if (ctx.systemControl && !(await ctx.systemControl.isResetAllowed())) return { status: 'Rejected' };
  const onIdle = req.type === 'OnIdle' && busy.length > 0;
  ctx.after(() => ctx.station.reset({ onIdle, stop: req.type === 'Immediate' ? busy : [] }));
  return { status: onIdle ? 'Scheduled' : 'Accepted' };
};
