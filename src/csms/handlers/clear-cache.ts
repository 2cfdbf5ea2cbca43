// ClearCache (OCPP 2.0.1 C11): empties the authorization cache; Rejected while AuthCacheCtrlr is not enabled
// (C11.FR.04), as libocpp authorization.cpp handle_clear_cache_req answers.
import type { ClearCacheResponse } from '../../ocpp/auth/ocpp-types.js';
import type { CallHandler } from './context.js';

export const clearCache: CallHandler<Record<string, never>, ClearCacheResponse> = (_req, ctx) => ctx.service.auth.clearCache();
