// From the bus to the transactions room: an evse_manager session event (already checked and normalized to
// 2026.02's field names by session-event.ts) becomes the room's SessionEventInput, and a powermeter reading its
// MeterReading. Which field feeds which: docs/csms.md, "Session events to TransactionEvent".
import {
  ID_TOKEN_TYPES, type IdTokenType,
} from '../ocpp/transactions/ocpp-types.js';
import {
  SESSION_EVENT_KINDS, STOP_TRANSACTION_REASONS, type MeterReading, type PhaseReadings, type ProvidedTokenInput,
  type SessionEventInput, type SessionEventKind, type StopTransactionReason, type TokenInput,
} from '../ocpp/transactions/session-event.js';
import type { EvseIdToken, EvsePowermeter, EvseProvidedIdToken, EvseSessionEvent } from './session-event.js';

function isKind(s: string): s is SessionEventKind {
  return (SESSION_EVENT_KINDS as readonly string[]).includes(s);
}

function isStopReason(s: string): s is StopTransactionReason {
  return (STOP_TRANSACTION_REASONS as readonly string[]).includes(s);
}

// EVerest's IdTokenType names are OCPP 2.0.1's; anything else (a newer release's) is taken as Local, as
// everest-core 2023.12 took a token without a type.
function tokenType(t: string): IdTokenType {
  return (ID_TOKEN_TYPES as readonly string[]).includes(t) ? t as IdTokenType : 'Local';
}

function token(t: EvseIdToken): TokenInput {
  return { value: t.value, type: tokenType(t.type) };
}

function provided(p: EvseProvidedIdToken | undefined): ProvidedTokenInput | undefined {
  if (!p) return undefined;
  // authorization_type is absent only for 2023.12's bare-string finish token: not a CSMS start ('OCPP').
  const out: ProvidedTokenInput = { token: token(p.id_token), authorizationType: p.authorization_type ?? '' };
  if (p.parent_id_token) out.parent = token(p.parent_id_token);
  if (p.request_id !== undefined) out.requestId = p.request_id;
  return out;
}

function phases(v: { total?: number; DC?: number; L1?: number; L2?: number; L3?: number; N?: number } | undefined): PhaseReadings | undefined {
  if (!v) return undefined;
  const out: PhaseReadings = {};
  // units.yaml: DC values (current, voltage) are the total of a DC meter.
  const total = v.total ?? v.DC;
  if (total !== undefined) out.total = total;
  for (const p of ['L1', 'L2', 'L3', 'N'] as const) {
    const x = v[p];
    if (x !== undefined) out[p] = x;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** powermeter Powermeter to the room's MeterReading (energy_Wh_import.total is required by both releases). */
export function toMeterReading(pm: EvsePowermeter): MeterReading {
  const out: MeterReading = { timestamp: pm.timestamp, energyImportWh: pm.energy_Wh_import.total };
  if (pm.energy_Wh_export !== undefined) out.energyExportWh = pm.energy_Wh_export.total;
  const power = phases(pm.power_W);
  if (power) out.powerW = power;
  const current = phases(pm.current_A);
  if (current) out.currentA = current;
  const voltage = phases(pm.voltage_V);
  if (voltage) out.voltageV = voltage;
  if (pm.frequency_Hz !== undefined) out.frequencyHz = pm.frequency_Hz.L1;
  return out;
}

/**
 * One session event of EVSE evseId as the room's input; undefined for an event the room does not know
 * (2023.12's Error, AllErrorsCleared, PermanentFault ...: they do not touch a transaction).
 */
export function toSessionEventInput(evseId: number, ev: EvseSessionEvent): SessionEventInput | undefined {
  if (!isKind(ev.event)) return undefined;
  const ss = ev.session_started;
  const ts = ev.transaction_started;
  const tf = ev.transaction_finished;
  const out: SessionEventInput = {
    evseId, connectorId: ev.connector_id, kind: ev.event, timestamp: ev.timestamp, sessionId: ev.uuid,
  };
  if (ss) out.startReason = ss.reason;
  const idTag = provided(ss?.id_tag ?? ts?.id_tag ?? tf?.id_tag);
  if (idTag) out.idTag = idTag;
  if (tf?.reason !== undefined && isStopReason(tf.reason)) out.stopReason = tf.reason;
  const pm = tf?.meter_value ?? ts?.meter_value ?? ss?.meter_value ?? ev.session_finished?.meter_value
    ?? ev.charging_state_changed_event?.meter_value ?? ev.authorization_event?.meter_value;
  if (pm) out.meter = toMeterReading(pm);
  if (ts?.signed_meter_value !== undefined || ss?.signed_meter_value !== undefined) out.signedStart = true;
  const reservationId = ts?.reservation_id ?? ss?.reservation_id;
  if (reservationId !== undefined) out.reservationId = reservationId;
  return out;
}
