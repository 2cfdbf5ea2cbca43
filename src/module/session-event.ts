// One shape for the session events of every evse_manager release: TsOcpp's OCPP side reads this, never the
// bus payload. The fields follow everest-core 2026.02 (types/evse_manager.yaml SessionEvent); a 2023.12
// payload is lifted into it. The lifting is by shape, not by release number, so the releases in between
// (2024.3: id tokens already objects, no top-level timestamp yet) come out right as well.
import type * as r2312 from '../generated/types/evse_manager.js';
import type * as r2602 from '../generated/releases/2026.02.0/types/evse_manager.js';
import type { AuthorizationType, IdTokenType } from '../generated/releases/2026.02.0/types/authorization.js';
import type { Powermeter } from '../generated/releases/2026.02.0/types/powermeter.js';
import type { SignedMeterValue } from '../generated/releases/2026.02.0/types/units_signed.js';
import type { Limits } from '../generated/releases/2026.02.0/types/evse_manager.js';

/** A session_event as either bundled release declares it (after validation against the definition in force). */
export type BusSessionEvent = r2312.SessionEvent | r2602.SessionEvent;

/** Both releases' powermeter var: 2023.12's is a subset of 2026.02's. */
export type EvsePowermeter = Powermeter;
export type EvseLimits = Limits;

export type EvseSessionEventName = r2312.SessionEventEnum | r2602.SessionEventEnum;
export type EvseStopReason = r2602.StopTransactionReason;

/** An id token as 2026.02 writes it (`{value, type}`). */
export interface EvseIdToken {
  value: string;
  type: IdTokenType;
}

/** 2026.02's ProvidedIdToken, narrowed to what a transaction needs. */
export interface EvseProvidedIdToken {
  id_token: EvseIdToken;
  /** Absent only for a 2023.12 TransactionFinished, whose id_tag is a bare string. */
  authorization_type?: AuthorizationType;
  request_id?: number;
  parent_id_token?: EvseIdToken;
  prevalidated?: boolean;
}

export interface EvseSessionEvent {
  uuid: string;
  /** RFC 3339: the event's own (2026.02: top level; 2023.12: in its data), else when TsOcpp received it. */
  timestamp: string;
  /** 1 when the manager leaves it out (as the interface says). */
  connector_id: number;
  event: EvseSessionEventName;
  session_started?: {
    reason: r2602.StartSessionReason;
    id_tag?: EvseProvidedIdToken;
    meter_value?: EvsePowermeter;
    signed_meter_value?: SignedMeterValue;
    reservation_id?: number;
    logging_path?: string;
  };
  session_finished?: { meter_value?: EvsePowermeter };
  transaction_started?: {
    id_tag: EvseProvidedIdToken;
    meter_value: EvsePowermeter;
    signed_meter_value?: SignedMeterValue;
    reservation_id?: number;
  };
  transaction_finished?: {
    meter_value: EvsePowermeter;
    reason?: EvseStopReason;
    id_tag?: EvseProvidedIdToken;
    signed_meter_value?: SignedMeterValue;
    start_signed_meter_value?: SignedMeterValue;
  };
  charging_state_changed_event?: { meter_value: EvsePowermeter };
  authorization_event?: { meter_value: EvsePowermeter };
  charging_paused_evse?: r2602.ChargingPausedEVSEReasons;
  /** 2023.12's error detail (Error event). */
  error?: { error_code: string; vendor_error?: string };
}

type AnyRecord = Record<string, unknown>;

function isRecord(v: unknown): v is AnyRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// everest-core 2023.12 OCPP201.cpp took a token without id_token_type as Local; so does TsOcpp.
const UNKNOWN_TOKEN_TYPE: IdTokenType = 'Local';

function idToken(v: unknown, type: unknown): EvseIdToken | undefined {
  if (typeof v === 'string') return { value: v, type: typeof type === 'string' ? type as IdTokenType : UNKNOWN_TOKEN_TYPE };
  if (isRecord(v) && typeof v.value === 'string') return { value: v.value, type: typeof v.type === 'string' ? v.type as IdTokenType : UNKNOWN_TOKEN_TYPE };
  return undefined;
}

/** 2023.12: `{id_token: string, id_token_type?}` or a bare string; 2026.02: `{id_token: {value, type}}`. */
function providedIdToken(v: unknown): EvseProvidedIdToken | undefined {
  if (typeof v === 'string') return { id_token: { value: v, type: UNKNOWN_TOKEN_TYPE } };
  if (!isRecord(v)) return undefined;
  const token = idToken(v.id_token, v.id_token_type);
  if (token === undefined) return undefined;
  const out: EvseProvidedIdToken = { id_token: token };
  if (typeof v.authorization_type === 'string') out.authorization_type = v.authorization_type as AuthorizationType;
  if (typeof v.request_id === 'number') out.request_id = v.request_id;
  const parent = idToken(v.parent_id_token, undefined);
  if (parent !== undefined) out.parent_id_token = parent;
  if (typeof v.prevalidated === 'boolean') out.prevalidated = v.prevalidated;
  return out;
}

/** 2023.12 carries a signed meter value as a string; 2026.02 as SignedMeterValue. */
function signed(v: unknown): SignedMeterValue | undefined {
  if (typeof v === 'string') return { signed_meter_data: v, signing_method: '', encoding_method: '' };
  return isRecord(v) && typeof v.signed_meter_data === 'string' ? v as unknown as SignedMeterValue : undefined;
}

function meter(v: unknown): EvsePowermeter | undefined {
  return isRecord(v) ? v as unknown as EvsePowermeter : undefined;
}

/** Copies the keys whose value is not undefined (exactOptionalPropertyTypes: absent, not undefined). */
function defined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Lift a validated session_event of any release into EvseSessionEvent. `receivedAt` stands in for the event
 * time when the payload has none (2023.12 events without data, such as ChargingStarted).
 */
export function normalizeSessionEvent(ev: BusSessionEvent, receivedAt: Date): EvseSessionEvent {
  const e = ev as unknown as AnyRecord;
  const ss = isRecord(e.session_started) ? e.session_started : undefined;
  const sf = isRecord(e.session_finished) ? e.session_finished : undefined;
  const ts = isRecord(e.transaction_started) ? e.transaction_started : undefined;
  const tf = isRecord(e.transaction_finished) ? e.transaction_finished : undefined;
  const dataTime = [e.timestamp, ss?.timestamp, ts?.timestamp, tf?.timestamp, sf?.timestamp].find((t): t is string => typeof t === 'string');
  const out: EvseSessionEvent = {
    uuid: ev.uuid,
    timestamp: dataTime ?? receivedAt.toISOString(),
    connector_id: ev.connector_id ?? 1,
    event: ev.event,
  };
  if (ss) {
    out.session_started = defined<NonNullable<EvseSessionEvent['session_started']>>({
      reason: ss.reason as r2602.StartSessionReason,
      id_tag: providedIdToken(ss.id_tag),
      meter_value: meter(ss.meter_value),
      signed_meter_value: signed(ss.signed_meter_value),
      reservation_id: typeof ss.reservation_id === 'number' ? ss.reservation_id : undefined,
      logging_path: typeof ss.logging_path === 'string' ? ss.logging_path : undefined,
    });
  }
  if (sf) out.session_finished = defined({ meter_value: meter(sf.meter_value) });
  if (ts) {
    const idTag = providedIdToken(ts.id_tag);
    const mv = meter(ts.meter_value);
    // Both are required by both releases' schemas; a payload without them was dropped by validation.
    if (idTag && mv) {
      out.transaction_started = defined<NonNullable<EvseSessionEvent['transaction_started']>>({
        id_tag: idTag,
        meter_value: mv,
        signed_meter_value: signed(ts.signed_meter_value),
        reservation_id: typeof ts.reservation_id === 'number' ? ts.reservation_id : undefined,
      });
    }
  }
  if (tf) {
    const mv = meter(tf.meter_value);
    if (mv) {
      out.transaction_finished = defined<NonNullable<EvseSessionEvent['transaction_finished']>>({
        meter_value: mv,
        reason: typeof tf.reason === 'string' ? tf.reason as EvseStopReason : undefined,
        id_tag: providedIdToken(tf.id_tag),
        signed_meter_value: signed(tf.signed_meter_value),
        start_signed_meter_value: signed(tf.start_signed_meter_value),
      });
    }
  }
  for (const key of ['charging_state_changed_event', 'authorization_event'] as const) {
    const v = e[key];
    const mv = isRecord(v) ? meter(v.meter_value) : undefined;
    if (mv) out[key] = { meter_value: mv };
  }
  if (isRecord(e.charging_paused_evse)) out.charging_paused_evse = e.charging_paused_evse as unknown as r2602.ChargingPausedEVSEReasons;
  if (isRecord(e.error) && typeof e.error.error_code === 'string') {
    out.error = defined({ error_code: e.error.error_code, vendor_error: typeof e.error.vendor_error === 'string' ? e.error.vendor_error : undefined });
  }
  return out;
}
