// The device model values authorization reads, read at each use so a SetVariables from the CSMS applies to the
// next token without a restart. Absent variables read as libocpp's value_or defaults (authorization.cpp).
import type { DeviceModelRepository } from '../../device-model/repository.js';

export interface AuthSettings {
  /** AuthCtrlr.Enabled: false -> every token is Accepted without a look-up (libocpp validate_token). */
  enabled: boolean;
  localPreAuthorize: boolean;
  localAuthorizeOffline: boolean;
  offlineTxForUnknownIdEnabled: boolean;
  disableRemoteAuthorization: boolean;
  localListEnabled: boolean;
  /** LocalAuthListCtrlr ItemsPerMessage / BytesPerMessage: the limits of one SendLocalList (D01.FR.11). */
  localListItemsPerMessage: number | undefined;
  localListBytesPerMessage: number | undefined;
  cacheEnabled: boolean;
  /** AuthCacheCtrlr.LifeTime in seconds since last use (C10.FR.08); undefined: no limit. */
  cacheLifeTimeS: number | undefined;
  cachePolicy: 'LRU' | 'FIFO';
  cacheDisablePostAuthorize: boolean;
  /** The maxLimit of AuthCacheCtrlr.Storage: bytes the cache may hold (C10.FR.11 evicts beyond it). */
  cacheMaxBytes: number | undefined;
}

function variable(repo: DeviceModelRepository, component: string, name: string) {
  const c = repo.findComponent({ name: component });
  return c && repo.findVariable(c.id, name);
}

function bool(repo: DeviceModelRepository, component: string, name: string, fallback: boolean): boolean {
  const s = repo.actualValue(component, name);
  return s === undefined ? fallback : s.toLowerCase() === 'true';
}

function int(repo: DeviceModelRepository, component: string, name: string): number | undefined {
  const s = repo.actualValue(component, name);
  const n = s === undefined ? NaN : Number(s);
  return Number.isInteger(n) ? n : undefined;
}

export function readAuthSettings(repo: DeviceModelRepository): AuthSettings {
  const policy = repo.actualValue('AuthCacheCtrlr', 'Policy');
  const storage = variable(repo, 'AuthCacheCtrlr', 'Storage');
  return {
    enabled: bool(repo, 'AuthCtrlr', 'Enabled', false),
    localPreAuthorize: bool(repo, 'AuthCtrlr', 'LocalPreAuthorize', false),
    localAuthorizeOffline: bool(repo, 'AuthCtrlr', 'LocalAuthorizeOffline', false),
    offlineTxForUnknownIdEnabled: bool(repo, 'AuthCtrlr', 'OfflineTxForUnknownIdEnabled', false),
    disableRemoteAuthorization: bool(repo, 'AuthCtrlr', 'DisableRemoteAuthorization', false),
    localListEnabled: bool(repo, 'LocalAuthListCtrlr', 'Enabled', false),
    localListItemsPerMessage: int(repo, 'LocalAuthListCtrlr', 'ItemsPerMessage'),
    localListBytesPerMessage: int(repo, 'LocalAuthListCtrlr', 'BytesPerMessage'),
    cacheEnabled: bool(repo, 'AuthCacheCtrlr', 'Enabled', false),
    cacheLifeTimeS: int(repo, 'AuthCacheCtrlr', 'LifeTime'),
    cachePolicy: policy === 'FIFO' ? 'FIFO' : 'LRU',
    cacheDisablePostAuthorize: bool(repo, 'AuthCacheCtrlr', 'DisablePostAuthorize', false),
    cacheMaxBytes: storage?.characteristics.max_limit,
  };
}
