// auth_token_validator's validate_token, both ways, for every release: the bus's ProvidedIdToken in (2023.12:
// `id_token` a string beside `id_token_type`; 2026.02: `id_token: {value, type}`), the OCPP IdToken and EVSE
// ids the authorization room (src/ocpp/auth) speaks, and its answer out as the ValidationResult of the
// release in force. The lifting in is by shape, as session-event.ts does; the shape out needs the release
// (2026.02 requires tariff_messages and gives parent_id_token as an object; 2023.12 has neither).
// What goes out follows everest-core 2026.02 OCPP201 conversions.cpp to_everest_validation_result.
import type * as a2312 from '../generated/types/authorization.js';
import type * as a2602 from '../generated/releases/2026.02.0/types/authorization.js';
import type { MessageContent as BusMessageContent } from '../generated/releases/2026.02.0/types/text_message.js';
import type { Validation } from '../ocpp/auth/authorization.js';
import type { IdToken, IdTokenInfo } from '../ocpp/auth/ocpp-types.js';

export type BusProvidedIdToken = a2312.ProvidedIdToken | a2602.ProvidedIdToken;
export type BusValidationResult = a2312.ValidationResult | a2602.ValidationResult;
export type AuthRelease = '2023.12' | '2026.02';

export interface TokenToValidate {
  idToken: IdToken;
  /** `connectors`: the EVSEs the token is offered for (OCPP201 fills it with EVSE ids). */
  evseIds?: number[];
}

/** The bus's token as OCPP's IdToken. A 2023.12 token without id_token_type (optional there) is taken as ISO14443: an RFID card, the common case. */
export function fromProvidedToken(t: BusProvidedIdToken): TokenToValidate {
  let idToken: IdToken;
  if (typeof t.id_token === 'string') {
    idToken = { idToken: t.id_token, type: (t as a2312.ProvidedIdToken).id_token_type ?? 'ISO14443' };
  } else {
    idToken = { idToken: t.id_token.value, type: t.id_token.type };
    const extra = t.id_token.additional_info;
    if (extra && extra.length > 0) idToken.additionalInfo = extra.map((a) => ({ additionalIdToken: a.value, type: a.type }));
  }
  const out: TokenToValidate = { idToken };
  if (t.connectors && t.connectors.length > 0) out.evseIds = [...t.connectors];
  return out;
}

function messageOf(m: NonNullable<IdTokenInfo['personalMessage']>): BusMessageContent {
  const c: BusMessageContent = { content: m.content, format: m.format };
  if (m.language !== undefined) c.language = m.language;
  return c;
}

/** The room's answer as the release's ValidationResult. */
export function toValidationResult(v: Validation, release: AuthRelease): BusValidationResult {
  const info = v.idTokenInfo;
  if (release === '2023.12') {
    const r: a2312.ValidationResult = { authorization_status: info.status };
    if (v.certificateStatus !== undefined) r.certificate_status = v.certificateStatus;
    if (info.cacheExpiryDateTime !== undefined) r.expiry_time = info.cacheExpiryDateTime;
    if (info.groupIdToken !== undefined) r.parent_id_token = info.groupIdToken.idToken;
    if (info.evseId !== undefined) r.evse_ids = [...info.evseId];
    return r;
  }
  const r: a2602.ValidationResult = { authorization_status: info.status, tariff_messages: info.personalMessage ? [messageOf(info.personalMessage)] : [] };
  if (v.certificateStatus !== undefined) r.certificate_status = v.certificateStatus;
  if (info.cacheExpiryDateTime !== undefined) r.expiry_time = info.cacheExpiryDateTime;
  if (info.groupIdToken !== undefined) r.parent_id_token = { value: info.groupIdToken.idToken, type: info.groupIdToken.type };
  if (info.evseId !== undefined) r.evse_ids = [...info.evseId];
  return r;
}
