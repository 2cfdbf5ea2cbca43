// GetLocalListVersion (OCPP 2.0.1 D02): the version of the installed local list; 0 when there is none or the
// list is not enabled (D02.FR.02, libocpp handle_get_local_authorization_list_version_req).
import type { GetLocalListVersionResponse } from '../../ocpp/auth/ocpp-types.js';
import type { CallHandler } from './context.js';

export const getLocalListVersion: CallHandler<Record<string, never>, GetLocalListVersionResponse> = (_req, ctx) => ctx.service.auth.localListVersion();
