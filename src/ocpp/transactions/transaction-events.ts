// The transaction machine: one session event (or a periodic sample, or a TriggerMessage) and the EVSE's
// stored record in, the TransactionEvent requests to send and the new record out. Pure: no clock, storage or
// I/O of its own (the caller gives the time, the offline flag and the TxCtrlr settings, and persists the
// record with the requests in one storage transaction).
//
// The order of the session events and what each one means follows everest-core's OCPP201 module
// (process_session_started ... process_deauthorized) and libocpp's transaction block:
// - the TxStartPoint / TxStopPoint conditions (tx-points.ts) decide Started and Ended (E01, E06);
// - an open transaction gets Updated when its chargingState changes (trigger
//   ChargingStateChanged) or when the token becomes known after the start (E02: Authorized with idToken);
// - Ended is made once: a record that has ended makes nothing more (a second finish is ignored);
// - the record lives until SessionFinished, so the rest of the session cannot open a second transaction.
import type {
  ChargingState, Measurand, MeterValue, OcppIdToken, StoppedReason, TransactionEventRequest, TransactionEventType,
  TriggerReason,
} from './ocpp-types.js';
import { toMeterValue } from './meter-value.js';
import { finishEffect, toStoppedReason, triggerForStop } from './reasons.js';
import type { MeterReading, ProvidedTokenInput, SessionEventInput, TokenInput } from './session-event.js';
import type { SessionRecord, TxEndedSample } from './store.js';
import { NO_CONDITIONS, startPointReached, stopPointReached, type TxPoints } from './tx-points.js';

export interface TxMeasurands {
  /** SampledDataCtrlr.TxStartedMeasurands (Transaction.Begin). */
  started?: readonly Measurand[];
  /** SampledDataCtrlr.TxUpdatedMeasurands (Sample.Periodic, Trigger). */
  updated?: readonly Measurand[];
  /** SampledDataCtrlr.TxEndedMeasurands (Transaction.Begin, Sample.Periodic and Transaction.End in the Ended). */
  ended?: readonly Measurand[];
  /** AlignedDataCtrlr.Measurands (Sample.Clock, J01). */
  clock?: readonly Measurand[];
  /** AlignedDataCtrlr.TxEndedMeasurands (Sample.Clock in the Ended). */
  endedClock?: readonly Measurand[];
}

export interface MachineContext {
  /** The time of the call; messages carry the event's own timestamp where it has one. */
  now: Date;
  /** No CSMS connection when the message is made (E04, E08, E12: offline: true). */
  offline: boolean;
  /** TxCtrlr points now; a session keeps those in force when it opened. */
  points: TxPoints;
  measurands?: TxMeasurands;
  /** A new OCPP transactionId (at most 36 characters). */
  newTransactionId: () => string;
  /** The TxEnded samples kept for the stored record's transaction (J02), oldest first. */
  kept?: { transactionId: string; samples: readonly TxEndedSample[] };
}

export interface Step {
  /** The EVSE's record after the input; undefined: the EVSE has no open session any more. */
  record: SessionRecord | undefined;
  requests: TransactionEventRequest[];
  /** Why the input made nothing, for a debug line. */
  ignored?: string;
  /** Readings to keep for the Ended of the record's transaction (its Transaction.Begin). */
  samples?: TxEndedSample[];
}

/**
 * The meterValue of an Ended (J02, E06): the kept samples, each filtered by its TxEnded measurands
 * (SampledDataCtrlr for Begin and Periodic, AlignedDataCtrlr for Clock, as libocpp), then the Transaction.End.
 */
function endedMeterValues(samples: readonly TxEndedSample[], end: MeterReading | undefined, m: TxMeasurands | undefined): MeterValue[] {
  const out = samples.map((s) => toMeterValue(s.reading, s.context, s.context === 'Sample.Clock' ? m?.endedClock : m?.ended));
  if (end) out.push(toMeterValue(end, 'Transaction.End', m?.ended));
  return out;
}

function ocppToken(t: TokenInput): OcppIdToken {
  return { idToken: t.value, type: t.type };
}

/** One step's working copy: the record and the requests made so far. */
class Work {
  readonly out: TransactionEventRequest[] = [];
  readonly samples: TxEndedSample[] = [];
  constructor(readonly rec: SessionRecord, readonly ctx: MachineContext, readonly timestamp: string) {}

  emit(eventType: TransactionEventType, trigger: TriggerReason, fill?: (r: TransactionEventRequest) => void): void {
    const r = this.rec;
    const req: TransactionEventRequest = {
      eventType,
      timestamp: this.timestamp,
      triggerReason: trigger,
      seqNo: r.seqNoNext,
      transactionInfo: { transactionId: r.transactionId, chargingState: r.chargingState },
    };
    if (this.ctx.offline) req.offline = true;
    fill?.(req);
    r.seqNoNext += 1;
    r.updatedAt = this.timestamp;
    this.out.push(req);
  }

  start(trigger: TriggerReason, meter: MeterReading | undefined): void {
    const r = this.rec;
    this.emit('Started', trigger, (req) => {
      // E01 / libocpp: the first message names the EVSE and connector, and the token when known.
      req.evse = { id: r.evseId, connectorId: r.connectorId };
      if (r.idToken) req.idToken = r.idToken;
      if (r.remoteStartId !== undefined) req.transactionInfo.remoteStartId = r.remoteStartId;
      if (r.reservationId !== undefined) req.reservationId = r.reservationId;
      if (meter) req.meterValue = [toMeterValue(meter, 'Transaction.Begin', this.ctx.measurands?.started)];
    });
    // libocpp keeps the start reading with the transaction's samples: it is the first value of the Ended.
    if (meter) this.samples.push({ context: 'Transaction.Begin', reading: meter });
    r.started = true;
    r.startedAt = this.timestamp;
    if (r.idToken) r.idTokenSent = true;
  }

  end(trigger: TriggerReason, reason: StoppedReason, meter: MeterReading | undefined, stopToken?: OcppIdToken): void {
    const r = this.rec;
    r.stoppedReason = reason;
    this.emit('Ended', trigger, (req) => {
      req.transactionInfo.stoppedReason = reason;
      // E07 (libocpp cites E07.FR.02): the token that ended the authorization, when a token stopped it.
      if (trigger === 'StopAuthorized' && stopToken) req.idToken = stopToken;
      // A record made in this step has no kept samples of its own.
      const kept = this.rec.transactionId === this.ctx.kept?.transactionId ? this.ctx.kept.samples : [];
      const values = endedMeterValues([...kept, ...this.samples], meter, this.ctx.measurands);
      if (values.length > 0) req.meterValue = values;
    });
    r.ended = true;
    r.endedAt = this.timestamp;
  }

  /**
   * After the conditions changed: Started when a start point is reached, Ended when a stop point is, else an
   * Updated when the open transaction's chargingState changed or its token is not yet sent.
   */
  settle(
    trigger: TriggerReason, chargingBefore: ChargingState, meter: MeterReading | undefined,
    end: { reason: StoppedReason; trigger?: TriggerReason; token?: OcppIdToken },
  ): void {
    const r = this.rec;
    if (r.ended) return;
    if (!r.started) {
      if (startPointReached(r.startPoints, r.conditions)) this.start(trigger, meter);
      return;
    }
    if (stopPointReached(r.stopPoints, r.conditions)) {
      this.end(end.trigger ?? trigger, end.reason, meter, end.token);
      return;
    }
    const tokenPending = r.idToken !== undefined && !r.idTokenSent;
    if (r.chargingState === chargingBefore && !tokenPending) return;
    this.emit('Updated', trigger, (req) => {
      if (tokenPending && r.idToken) req.idToken = r.idToken;
      // F02 (cable first): the event that brings a remote start's token names its remoteStartId, as libocpp
      // gives it to the first TransactionEvent with that token.
      if (tokenPending && r.remoteStartId !== undefined) req.transactionInfo.remoteStartId = r.remoteStartId;
    });
    if (tokenPending) r.idTokenSent = true;
  }

  step(): Step {
    return { record: this.rec, requests: this.out, samples: this.samples };
  }
}

function newRecord(ev: SessionEventInput, ctx: MachineContext): SessionRecord {
  return {
    evseId: ev.evseId,
    connectorId: ev.connectorId,
    sessionId: ev.sessionId,
    transactionId: ctx.newTransactionId(),
    seqNoNext: 0,
    started: false,
    ended: false,
    startPoints: [...ctx.points.start],
    stopPoints: [...ctx.points.stop],
    conditions: { ...NO_CONDITIONS },
    chargingState: 'Idle',
    idTokenSent: false,
    sessionStartedAt: ev.timestamp,
    updatedAt: ev.timestamp,
  };
}

function takeToken(r: SessionRecord, tag: ProvidedTokenInput | undefined): void {
  if (!tag) return;
  const token = ocppToken(tag.token);
  if (r.idToken?.idToken !== token.idToken || r.idToken.type !== token.type) {
    r.idToken = token;
    r.idTokenSent = false;
  }
  if (tag.parent) r.groupIdToken = ocppToken(tag.parent);
  if (tag.requestId !== undefined) r.remoteStartId = tag.requestId;
}

/** The trigger of a start by this token: RemoteStart when the CSMS asked for it (F01/F02). */
function authorizedTrigger(tag: ProvidedTokenInput | undefined): TriggerReason {
  return tag?.authorizationType === 'OCPP' ? 'RemoteStart' : 'Authorized';
}

function clone(r: SessionRecord): SessionRecord {
  return structuredClone(r);
}

const nothing = (record: SessionRecord | undefined, ignored: string): Step => ({ record, requests: [], ignored });

/**
 * An EVSE whose session is gone while its transaction is open (a new session replaced it, or the EVSE does
 * not know it after a restart): Ended with the given reason.
 */
export function endAbandoned(
  stored: SessionRecord, reason: StoppedReason, timestamp: string, ctx: MachineContext,
): Step {
  if (!stored.started || stored.ended) return { record: undefined, requests: [] };
  const w = new Work(clone(stored), ctx, timestamp);
  w.end(triggerForStop(reason), reason, undefined);
  return { record: undefined, requests: w.out };
}

export function onSessionEvent(stored: SessionRecord | undefined, ev: SessionEventInput, ctx: MachineContext): Step {
  switch (ev.kind) {
    case 'SessionStarted': return sessionStarted(stored, ev, ctx);
    case 'TransactionStarted': return transactionStarted(stored, ev, ctx);
    case 'TransactionFinished': return transactionFinished(stored, ev, ctx);
    case 'SessionFinished': return sessionFinished(stored, ev, ctx);
    case 'ChargingStarted': return chargingChanged(stored, ev, ctx, 'Charging', true);
    case 'ChargingPausedEV': return chargingChanged(stored, ev, ctx, 'SuspendedEV', false);
    case 'ChargingPausedEVSE': return chargingChanged(stored, ev, ctx, 'SuspendedEVSE', false);
    case 'Deauthorized': return deauthorized(stored, ev, ctx);
    case 'SessionResumed':
      // everest-core emits it at boot before finishing a session it remembers (PowerLoss): the stored record
      // is that session, kept; without one there is no transaction the CSMS knows of to continue.
      return nothing(stored, stored ? 'session resumed: record kept' : 'session resumed without a stored session');
    default:
      // Authorized is handled with SessionStarted / TransactionStarted (as everest-core does); the rest
      // (AuthRequired, PrepareCharging, StoppingCharging, ChargingFinished, PluginTimeout, Enabled, Disabled,
      // Reservation*, SwitchingPhases) do not touch the transaction.
      return nothing(stored, `${ev.kind} does not change the transaction`);
  }
}

function sessionStarted(stored: SessionRecord | undefined, ev: SessionEventInput, ctx: MachineContext): Step {
  if (stored?.sessionId === ev.sessionId) return nothing(stored, 'session already open');
  // A new session while the old one's transaction is open: the EVSE has dropped it, so it ends here.
  const before = stored ? endAbandoned(stored, 'Other', ev.timestamp, ctx).requests : [];
  const w = new Work(newRecord(ev, ctx), ctx, ev.timestamp);
  w.out.push(...before);
  const r = w.rec;
  if (ev.reservationId !== undefined) r.reservationId = ev.reservationId;
  if (ev.signedStart) r.conditions.dataSigned = true;
  let trigger: TriggerReason;
  if (ev.startReason === 'EVConnected') {
    // E02: cable first.
    r.conditions.evConnected = true;
    r.chargingState = 'EVConnected';
    trigger = 'CablePluggedIn';
  } else {
    // E03: identification first (start reason Authorized).
    takeToken(r, ev.idTag);
    r.conditions.authorized = true;
    trigger = authorizedTrigger(ev.idTag);
  }
  w.settle(trigger, r.chargingState, ev.meter, { reason: 'Other' });
  return w.step();
}

function transactionStarted(stored: SessionRecord | undefined, ev: SessionEventInput, ctx: MachineContext): Step {
  if (stored?.ended && stored.sessionId === ev.sessionId) return nothing(stored, 'transaction already ended');
  // Another session's record (the EVSE dropped it without a finish): ended if open, and replaced.
  const other = stored !== undefined && stored.sessionId !== ev.sessionId;
  const before = stored && other ? endAbandoned(stored, 'Other', ev.timestamp, ctx).requests : [];
  const fresh = !stored || other || stored.ended;
  const w = new Work(fresh ? newRecord(ev, ctx) : clone(stored), ctx, ev.timestamp);
  w.out.push(...before);
  const r = w.rec;
  const chargingBefore = r.chargingState;
  if (fresh) {
    // No session seen: the EVSE starts a transaction when the EV is connected and the token authorized.
    r.conditions.evConnected = true;
    r.chargingState = 'EVConnected';
  }
  if (ev.reservationId !== undefined) r.reservationId = ev.reservationId;
  if (ev.signedStart) r.conditions.dataSigned = true;
  takeToken(r, ev.idTag);
  let trigger: TriggerReason = authorizedTrigger(ev.idTag);
  if (!r.conditions.evConnected) {
    // The EVSE starts its transaction when both hold; the one missing until now was the cable (E03).
    r.conditions.evConnected = true;
    r.chargingState = 'EVConnected';
    if (trigger !== 'RemoteStart') trigger = 'CablePluggedIn';
  }
  r.conditions.authorized = true;
  w.settle(trigger, chargingBefore, ev.meter, { reason: 'Other' });
  return w.step();
}

function transactionFinished(stored: SessionRecord | undefined, ev: SessionEventInput, ctx: MachineContext): Step {
  if (!stored) return nothing(stored, 'no open session');
  if (stored.ended) return nothing(stored, 'transaction already ended'); // Ended exactly once
  const w = new Work(clone(stored), ctx, ev.timestamp);
  const r = w.rec;
  const chargingBefore = r.chargingState;
  const reason = toStoppedReason(ev.stopReason);
  const effect = finishEffect(ev.stopReason);
  const trigger = triggerForStop(reason);
  const stopToken = ev.idTag ? ocppToken(ev.idTag.token) : undefined;
  r.stoppedReason = reason;
  r.conditions.energyTransfer = false;
  if (effect === 'disconnect') {
    r.conditions.evConnected = false;
    r.chargingState = 'Idle';
  } else if (effect === 'reset') {
    // A hard reset, or a session the EVSE could only close after losing power: ends whatever the stop points.
    r.conditions.immediateReset = true;
    if (r.chargingState !== 'Idle') r.chargingState = 'EVConnected';
  } else {
    r.chargingState = r.conditions.evConnected ? 'EVConnected' : 'Idle';
  }
  // An EVSE that finished its transaction charges no more on that token: the authorization ends too.
  r.conditions.authorized = false;
  w.settle(trigger, chargingBefore, ev.meter, { reason, token: stopToken });
  return w.step();
}

function sessionFinished(stored: SessionRecord | undefined, ev: SessionEventInput, ctx: MachineContext): Step {
  if (!stored) return nothing(stored, 'no open session');
  if (stored.ended || !stored.started) return { record: undefined, requests: [] };
  // E09: the cable is out (libocpp: EVDisconnected, EVCommunicationLost).
  const w = new Work(clone(stored), ctx, ev.timestamp);
  const r = w.rec;
  const chargingBefore = r.chargingState;
  r.conditions.evConnected = false;
  r.conditions.energyTransfer = false;
  r.chargingState = 'Idle';
  w.settle('EVCommunicationLost', chargingBefore, ev.meter, { reason: 'EVDisconnected' });
  // A stop point that unplugging does not reach (ParkingBayOccupancy, DataSigned) keeps the transaction open.
  return { record: r.ended ? undefined : r, requests: w.out, samples: w.samples };
}

function chargingChanged(
  stored: SessionRecord | undefined, ev: SessionEventInput, ctx: MachineContext, state: ChargingState, energy: boolean,
): Step {
  if (!stored) return nothing(stored, 'no open session');
  if (stored.ended) return nothing(stored, 'transaction already ended');
  const w = new Work(clone(stored), ctx, ev.timestamp);
  const r = w.rec;
  const chargingBefore = r.chargingState;
  r.conditions.energyTransfer = energy;
  r.chargingState = state;
  // TxStopPoint EnergyTransfer: paused by the EV is StoppedByEV (everest-core), by the EVSE Other.
  const reason: StoppedReason = state === 'SuspendedEV' ? 'StoppedByEV' : r.stoppedReason ?? 'Other';
  w.settle('ChargingStateChanged', chargingBefore, ev.meter, { reason });
  return w.step();
}

function deauthorized(stored: SessionRecord | undefined, ev: SessionEventInput, ctx: MachineContext): Step {
  if (!stored) return nothing(stored, 'no open session');
  if (stored.ended) return nothing(stored, 'transaction already ended');
  const w = new Work(clone(stored), ctx, ev.timestamp);
  const r = w.rec;
  const chargingBefore = r.chargingState;
  r.conditions.authorized = false;
  if (!r.conditions.evConnected) {
    // E03: authorized, but no EV within TxCtrlr.EVConnectionTimeOut (trigger EVConnectTimeout, reason Timeout).
    w.settle('EVConnectTimeout', chargingBefore, ev.meter, { reason: 'Timeout' });
  } else {
    w.settle('StopAuthorized', chargingBefore, ev.meter, { reason: r.stoppedReason ?? 'Other' });
  }
  return w.step();
}

/** E01 / J02: an Updated with a Sample.Periodic meter value every TxUpdatedInterval while the transaction is open. */
export function onMeterValuePeriodic(
  stored: SessionRecord | undefined, reading: MeterReading, ctx: MachineContext,
): Step {
  return sampleUpdated(stored, reading, ctx, 'MeterValuePeriodic', 'Sample.Periodic', ctx.measurands?.updated);
}

/**
 * J01 (J01.FR.10 / libocpp's aligned timer of a transaction): at each AlignedDataCtrlr.Interval instant an open
 * transaction gets an Updated with triggerReason MeterValueClock and a Sample.Clock value of AlignedDataCtrlr.Measurands.
 */
export function onMeterValueClock(
  stored: SessionRecord | undefined, reading: MeterReading, timestamp: string, ctx: MachineContext,
): Step {
  return sampleUpdated(stored, { ...reading, timestamp }, ctx, 'MeterValueClock', 'Sample.Clock', ctx.measurands?.clock);
}

function sampleUpdated(
  stored: SessionRecord | undefined, reading: MeterReading, ctx: MachineContext, trigger: TriggerReason,
  context: 'Sample.Periodic' | 'Sample.Clock', measurands: readonly Measurand[] | undefined,
): Step {
  if (!stored?.started || stored.ended) return nothing(stored, 'no open transaction');
  const w = new Work(clone(stored), ctx, reading.timestamp);
  w.emit('Updated', trigger, (req) => {
    req.meterValue = [toMeterValue(reading, context, measurands)];
  });
  return w.step();
}

/** F06: TriggerMessage(TransactionEvent) for an EVSE with an open transaction. */
export function onTrigger(
  stored: SessionRecord | undefined, reading: MeterReading | undefined, ctx: MachineContext,
): Step {
  if (!stored?.started || stored.ended) return nothing(stored, 'no open transaction');
  const w = new Work(clone(stored), ctx, ctx.now.toISOString());
  w.emit('Updated', 'Trigger', (req) => {
    if (reading) req.meterValue = [toMeterValue(reading, 'Trigger', ctx.measurands?.updated)];
  });
  return w.step();
}
