// The steps of one simulated AC session, as everest-core's EvseManager publishes them for a plug-in-first
// session (modules/EVSE/EvseManager Charger.cpp and evse/evse_managerImpl.cpp): SessionStarted (EVConnected),
// AuthRequired, Authorized (2026.02 only: 2023.12 has no such event), TransactionStarted with the token,
// PrepareCharging, ChargingStarted, a powermeter value every simulated second, then the end: ChargingPausedEV
// (the EV is full) when the EV is unplugged (EVDisconnected), else StoppingCharging; ChargingFinished,
// TransactionFinished with the reason, SessionFinished. Each payload in the shape of the chosen release's
// types/evse_manager.yaml. Pure: the clock and the session id come in, the bus is elsewhere (simulate-session.ts).
import type { BundledRelease } from '../schema/releases.js';

export interface SessionPlan {
  release: BundledRelease;
  /** EvseManager's session uuid. */
  uuid: string;
  connectorId: number;
  energyWh: number;
  seconds: number;
  /** power_W.total while charging. */
  powerW: number;
  idToken: string;
  idTokenType: string;
  /** EVerest's StopTransactionReason. */
  stopReason: string;
}

export type Step =
  | { kind: 'session_event'; event: string; payload: Record<string, unknown>; note: string }
  | { kind: 'powermeter'; payload: Record<string, unknown>; note: string };

/** The meter as EVerest's powermeter type has it (both releases: timestamp and energy_Wh_import are required). */
export function meterValue(at: Date, energyWh: number, powerW: number): Record<string, unknown> {
  return {
    timestamp: at.toISOString(),
    meter_id: 'tsocpp-simulated',
    energy_Wh_import: { total: Math.round(energyWh * 1000) / 1000 },
    power_W: { total: powerW },
  };
}

/** The steps that open a session: up to ChargingStarted. */
export function openingSteps(p: SessionPlan, at: Date): Step[] {
  const m0 = meterValue(at, 0, 0);
  const rel26 = p.release === '2026.02.0';
  const ts = at.toISOString();
  const ev = (event: string, data: Record<string, unknown> = {}, note = ''): Step => ({
    kind: 'session_event',
    event,
    note,
    // 2026.02 carries the time on top; 2023.12 only inside the data of the events that have data.
    payload: { uuid: p.uuid, event, connector_id: p.connectorId, ...(rel26 ? { timestamp: ts } : {}), ...data },
  });
  // 2023.12: id_token a string beside id_token_type; 2026.02: id_token {value, type}.
  const idTag = rel26
    ? { id_token: { value: p.idToken, type: p.idTokenType }, authorization_type: 'RFID' }
    : { id_token: p.idToken, id_token_type: p.idTokenType, authorization_type: 'RFID' };
  const steps: Step[] = [
    ev('SessionStarted', { session_started: rel26 ? { reason: 'EVConnected', meter_value: m0 } : { reason: 'EVConnected', timestamp: ts } }, 'reason EVConnected (the EV is plugged in)'),
    ev('AuthRequired'),
  ];
  if (rel26) steps.push(ev('Authorized', { authorization_event: { meter_value: m0 } }, `token of type ${p.idTokenType}`));
  steps.push(
    ev('TransactionStarted', { transaction_started: { id_tag: idTag, meter_value: m0, ...(rel26 ? {} : { timestamp: ts }) } }, `token of type ${p.idTokenType}, 0 Wh`),
    ev('PrepareCharging'),
    ev('ChargingStarted', rel26 ? { charging_state_changed_event: { meter_value: m0 } } : {}),
  );
  return steps;
}

/** A powermeter step of `wh` Wh at `powerW` W. */
export function meterAt(wh: number, powerW: number, at: Date): Step {
  return { kind: 'powermeter', payload: meterValue(at, wh, powerW), note: `${wh.toFixed(1)} Wh, ${powerW} W` };
}

/** The energy at simulated second `second` (0..seconds): it grows evenly to energyWh. */
export function energyAt(p: SessionPlan, second: number): number {
  return (p.energyWh * second) / p.seconds;
}

/** How far a session got before it is closed (it may be stopped early: stop_transaction, Ctrl-C). */
export interface Reached {
  transactionStarted: boolean;
  chargingStarted: boolean;
}

/**
 * The steps that close a session that reached `energyWh` Wh, with `reason` (EVerest's StopTransactionReason)
 * and, for a stop presented at the station (stop_transaction with an id_tag), the token that stopped it. A
 * session stopped before its transaction started just ends (SessionFinished).
 */
export function closingSteps(p: SessionPlan, energyWh: number, reason: string, at: Date, reached: Reached, stopToken?: { value: string; type: string }): Step[] {
  const rel26 = p.release === '2026.02.0';
  const ts = at.toISOString();
  const m = meterValue(at, energyWh, 0);
  const ev = (event: string, data: Record<string, unknown> = {}, note = ''): Step => ({
    kind: 'session_event',
    event,
    note,
    payload: { uuid: p.uuid, event, connector_id: p.connectorId, ...(rel26 ? { timestamp: ts } : {}), ...data },
  });
  const finished: Record<string, unknown> = { meter_value: m, reason };
  if (!rel26) finished.timestamp = ts;
  // 2023.12 writes the stopping token as a bare string; 2026.02 as a ProvidedIdToken.
  if (stopToken) finished.id_tag = rel26 ? { id_token: stopToken, authorization_type: 'RFID' } : stopToken.value;
  const steps: Step[] = [];
  if (reached.transactionStarted) {
    // Unplugging ends a session whose EV stopped drawing first; any other reason is the EVSE stopping it.
    if (reached.chargingStarted && reason === 'EVDisconnected') steps.push(ev('ChargingPausedEV', rel26 ? { charging_state_changed_event: { meter_value: m } } : {}, 'the EV is full'));
    else if (reached.chargingStarted) steps.push(ev('StoppingCharging'));
    steps.push(
      ev('ChargingFinished'),
      ev('TransactionFinished', { transaction_finished: finished }, `reason ${reason}, ${energyWh.toFixed(1)} Wh`),
    );
  }
  steps.push(ev('SessionFinished', { session_finished: rel26 ? { meter_value: m } : { timestamp: ts } }, 'the EV is unplugged'));
  return steps;
}
