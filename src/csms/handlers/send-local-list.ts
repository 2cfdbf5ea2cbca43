// SendLocalList (OCPP 2.0.1 D01): the rules are the authorization room's (src/ocpp/auth/local-list.ts). A list
// beyond LocalAuthListCtrlr ItemsPerMessage / BytesPerMessage, which the CSMS must respect (D01.FR.11), is
// refused the way GetVariables/SetVariables refuse theirs: OccurrenceConstraintViolation / FormatViolation.
import type { SendLocalListRequest, SendLocalListResponse } from '../../ocpp/auth/ocpp-types.js';
import { cvOf, readInts } from '../variables.js';
import { createRPCError } from '../rpc.js';
import type { CallHandler } from './context.js';

export const sendLocalList: CallHandler<SendLocalListRequest, SendLocalListResponse> = (req, ctx) => {
  const [items = Number.MAX_SAFE_INTEGER, bytes = Number.MAX_SAFE_INTEGER] = readInts(ctx.service, [
    [cvOf('LocalAuthListCtrlr', 'ItemsPerMessage'), Number.MAX_SAFE_INTEGER],
    [cvOf('LocalAuthListCtrlr', 'BytesPerMessage'), Number.MAX_SAFE_INTEGER],
  ]);
  const n = req.localAuthorizationList?.length ?? 0;
  if (n > items) {
    throw createRPCError('OccurrenceConstraintViolation', `at most ${items} entries per SendLocalList (LocalAuthListCtrlr ItemsPerMessage)`);
  }
  if (ctx.payloadBytes > bytes) {
    throw createRPCError('FormatViolation', `at most ${bytes} bytes per SendLocalList (LocalAuthListCtrlr BytesPerMessage)`);
  }
  return ctx.service.auth.sendLocalList(req);
};
