// Token validation (OCPP 2.0.1 C01-C15) in OCPP's order, as libocpp v2 Authorization::validate_token does it:
// 1. AuthCtrlr.Enabled false, or a Central / NoAuthorization token: Accepted without a look-up (C03.FR.01,
//    C05.FR.01: no Authorize for those).
// 2. Look-ups are allowed online with AuthCtrlr.LocalPreAuthorize, offline with LocalAuthorizeOffline (C12, C13).
// 3. The local authorization list (LocalAuthListCtrlr.Enabled): an Accepted entry answers (C14.FR.02); another
//    entry sends Authorize when online (C14.FR.03), else answers Unknown (C13.FR.04, errata), or Unknown when
//    DisableRemoteAuthorization forbids asking.
// 4. The authorization cache (AuthCacheCtrlr.Enabled): an entry past AuthCacheCtrlr.LifeTime since its last use,
//    or past its cacheExpiryDateTime, is dropped (C10.FR.08/09); an Accepted entry answers (C10.FR.03); another
//    answers only with AuthCacheCtrlr.DisablePostAuthorize, else the CSMS is asked.
// 5. Offline with OfflineTxForUnknownIdEnabled: Accepted (C15.FR.01).
// 6. Authorize at the CSMS unless DisableRemoteAuthorization (C01.FR.01); no answer (offline, timeout, error) is
//    Unknown. Every idTokenInfo the CSMS answers is cached (C10.FR.04), and a TransactionEvent's too (C10.FR.05,
//    through cacheIdTokenInfo).
// The cache is held within AuthCacheCtrlr.Storage's maxLimit by evicting per Policy (C10.FR.11).
// Id tokens are personal data: logged only at debug.
import type { Logger } from '../../log.js';
import type {
  AuthorizeRequest, AuthorizeResponse, ClearCacheResponse, GetLocalListVersionResponse, IdToken, IdTokenInfo,
  SendLocalListRequest, SendLocalListResponse,
} from './ocpp-types.js';
import { applySendLocalList } from './local-list.js';
import type { AuthSettings } from './settings.js';
import type { AuthCacheStore, LocalListStore } from './store.js';

/** The CSMS side of validation: the link implements it (src/csms/authorize.ts). */
export interface Authorizer {
  /** Connected and registered: an Authorize may be sent now. */
  online(): boolean;
  /** The CSMS's answer, or undefined when none came (offline, timeout, CALLERROR). */
  authorize(req: AuthorizeRequest): Promise<AuthorizeResponse | undefined>;
}

/** Where validation got its answer, for logs and tests. */
export type AuthSource = 'disabled' | 'local_list' | 'cache' | 'offline_unknown_id' | 'csms' | 'none';

export interface Validation {
  idTokenInfo: IdTokenInfo;
  source: AuthSource;
  certificateStatus?: AuthorizeResponse['certificateStatus'];
}

export interface AuthorizationOptions {
  localList: LocalListStore;
  cache: AuthCacheStore;
  settings: () => AuthSettings;
  now: () => Date;
  log: Logger;
  /** Writes a ReadOnly device model value (LocalAuthListCtrlr Entries/Storage, AuthCacheCtrlr Storage). */
  report(component: 'LocalAuthListCtrlr' | 'AuthCacheCtrlr', variable: 'Entries' | 'Storage', value: number): void;
}

export class Authorization {
  readonly #o: AuthorizationOptions;
  #authorizer: Authorizer | undefined;

  constructor(opts: AuthorizationOptions) {
    this.#o = opts;
  }

  /** Plugs in the CSMS side; returns the function that unplugs it. */
  attach(authorizer: Authorizer): () => void {
    this.#authorizer = authorizer;
    return () => {
      if (this.#authorizer === authorizer) this.#authorizer = undefined;
    };
  }

  /**
   * Validates a token. evseIds are the EVSEs the token is offered for: OCPP 2.0.1's Authorize has no field for
   * them (AuthorizeRequest carries idToken, certificate and hash data only), so they are not sent; an answer's
   * idTokenInfo.evseId tells where the token may be used and is handed back as it is.
   */
  async validate(idToken: IdToken, evseIds?: readonly number[]): Promise<Validation> {
    const s = this.#o.settings();
    const log = this.#o.log;
    if (!s.enabled || idToken.type === 'Central' || idToken.type === 'NoAuthorization') {
      return { idTokenInfo: { status: 'Accepted' }, source: 'disabled' };
    }
    const authorizer = this.#authorizer;
    const online = authorizer?.online() ?? false;
    const canLookUp = online ? s.localPreAuthorize : s.localAuthorizeOffline;
    log.debug({ id_token: idToken.idToken, type: idToken.type, evse_ids: evseIds, online }, 'validating a token');

    if (s.localListEnabled && canLookUp) {
      const info = this.#o.localList.get(idToken);
      if (info) {
        if (info.status === 'Accepted') return this.#done({ idTokenInfo: info, source: 'local_list' });
        if (online && !s.disableRemoteAuthorization) return this.#askCsms(idToken, s);
        return this.#done({ idTokenInfo: { status: 'Unknown' }, source: 'local_list' });
      }
    }

    if (s.cacheEnabled && canLookUp) {
      const entry = this.#o.cache.get(idToken);
      if (entry) {
        const now = this.#o.now();
        const lifetimeOver = s.cacheLifeTimeS !== undefined && entry.lastUsedAt.getTime() + s.cacheLifeTimeS * 1000 < now.getTime();
        const expiry = entry.idTokenInfo.cacheExpiryDateTime;
        const expired = expiry !== undefined && Date.parse(expiry) < now.getTime();
        if (lifetimeOver || expired) {
          this.#o.cache.delete(idToken);
          this.#reportCache();
          log.info({ why: lifetimeOver ? 'lifetime' : 'cacheExpiryDateTime' }, 'a cached token had expired: asking again');
        } else if (entry.idTokenInfo.status === 'Accepted') {
          this.#o.cache.touch(idToken, now);
          return this.#done({ idTokenInfo: entry.idTokenInfo, source: 'cache' });
        } else if (s.cacheDisablePostAuthorize) {
          return this.#done({ idTokenInfo: entry.idTokenInfo, source: 'cache' });
        }
      }
    }

    if (!online && s.offlineTxForUnknownIdEnabled) return this.#done({ idTokenInfo: { status: 'Accepted' }, source: 'offline_unknown_id' });
    if (!s.disableRemoteAuthorization) return this.#askCsms(idToken, s);
    return this.#done({ idTokenInfo: { status: 'Unknown' }, source: 'none' });
  }

  /** C10.FR.05: the idTokenInfo of a TransactionEventResponse updates the cache as an Authorize answer does. */
  cacheIdTokenInfo(idToken: IdToken, info: IdTokenInfo): void {
    const s = this.#o.settings();
    if (s.enabled && s.cacheEnabled) this.#cache(idToken, info, s);
  }

  /** ClearCache (C11): Accepted and emptied while AuthCacheCtrlr is enabled, else Rejected (C11.FR.04). */
  clearCache(): ClearCacheResponse {
    if (!this.#o.settings().cacheEnabled) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled', additionalInfo: 'AuthCacheCtrlr Enabled is false' } };
    }
    this.#o.cache.clear();
    this.#reportCache();
    return { status: 'Accepted' };
  }

  /** SendLocalList (D01); Failed while LocalAuthListCtrlr is not enabled. */
  sendLocalList(req: SendLocalListRequest): SendLocalListResponse {
    if (!this.#o.settings().localListEnabled) {
      return { status: 'Failed', statusInfo: { reasonCode: 'NotEnabled', additionalInfo: 'LocalAuthListCtrlr Enabled is false' } };
    }
    const res = applySendLocalList(this.#o.localList, req);
    if (res.status === 'Accepted') {
      this.#o.report('LocalAuthListCtrlr', 'Entries', this.#o.localList.size());
      this.#o.report('LocalAuthListCtrlr', 'Storage', this.#o.localList.bytes());
    }
    this.#o.log.info({ update: req.updateType, version: req.versionNumber, entries: req.localAuthorizationList?.length ?? 0, status: res.status },
      'SendLocalList');
    return res;
  }

  /** GetLocalListVersion (D02): the stored version, 0 without a list or while the list is not enabled (D02.FR.02). */
  localListVersion(): GetLocalListVersionResponse {
    return { versionNumber: this.#o.settings().localListEnabled ? this.#o.localList.version() : 0 };
  }

  async #askCsms(idToken: IdToken, s: AuthSettings): Promise<Validation> {
    const res = this.#authorizer ? await this.#authorizer.authorize({ idToken }) : undefined;
    if (!res) return this.#done({ idTokenInfo: { status: 'Unknown' }, source: 'none' });
    if (s.cacheEnabled) this.#cache(idToken, res.idTokenInfo, s);
    const v: Validation = { idTokenInfo: res.idTokenInfo, source: 'csms' };
    if (res.certificateStatus !== undefined) v.certificateStatus = res.certificateStatus;
    return this.#done(v);
  }

  #cache(idToken: IdToken, info: IdTokenInfo, s: AuthSettings): void {
    const cache = this.#o.cache;
    const now = this.#o.now();
    cache.put(idToken, info, now);
    const usedBefore = s.cacheLifeTimeS !== undefined ? new Date(now.getTime() - s.cacheLifeTimeS * 1000) : undefined;
    cache.deleteExpired(now, usedBefore);
    if (s.cacheMaxBytes !== undefined) {
      // The entry just written is the newest by either policy, so it goes last.
      while (cache.bytes() > s.cacheMaxBytes && cache.evictOne(s.cachePolicy));
    }
    this.#reportCache();
  }

  #reportCache(): void {
    this.#o.report('AuthCacheCtrlr', 'Storage', this.#o.cache.bytes());
  }

  #done(v: Validation): Validation {
    this.#o.log.debug({ status: v.idTokenInfo.status, source: v.source }, 'token validated');
    return v;
  }
}
