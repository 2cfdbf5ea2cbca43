// A powermeter reading as an OCPP meterValue. Energy.Active.Import.Register is always there (issue 16 item 3,
// and the default of SampledValue); other measurands only when asked for (SampledDataCtrlr.Tx*Measurands) and
// present in the reading. Units per OCPP 2.0.1 part 2 2.13 (Wh, W, A, V, Hz).
import { MEASURANDS, type Measurand, type MeterValue, type Phase, type ReadingContext, type SampledValue } from './ocpp-types.js';
import type { MeterReading, PhaseReadings } from './session-event.js';

const ALWAYS: Measurand = 'Energy.Active.Import.Register';

function phases(
  out: SampledValue[], readings: PhaseReadings | undefined, base: Omit<SampledValue, 'value' | 'phase'>,
  phaseOf: (p: 'L1' | 'L2' | 'L3' | 'N') => Phase,
): void {
  if (!readings) return;
  if (readings.total !== undefined) out.push({ ...base, value: readings.total });
  for (const p of ['L1', 'L2', 'L3', 'N'] as const) {
    const v = readings[p];
    if (v !== undefined) out.push({ ...base, value: v, phase: phaseOf(p) });
  }
}

function isMeasurand(s: string): s is Measurand {
  return (MEASURANDS as readonly string[]).includes(s);
}

/** The measurands of a SampledDataCtrlr MemberList ("Energy.Active.Import.Register,Power.Active.Import"). */
export function parseMeasurands(value: string | null | undefined): Measurand[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(isMeasurand);
}

export function toMeterValue(
  reading: MeterReading, context: ReadingContext, measurands: readonly Measurand[] = [],
): MeterValue {
  const want = new Set<Measurand>([ALWAYS, ...measurands]);
  const out: SampledValue[] = [
    { value: reading.energyImportWh, context, measurand: ALWAYS, unitOfMeasure: { unit: 'Wh' } },
  ];
  if (want.has('Energy.Active.Export.Register') && reading.energyExportWh !== undefined) {
    out.push({ value: reading.energyExportWh, context, measurand: 'Energy.Active.Export.Register', unitOfMeasure: { unit: 'Wh' } });
  }
  if (want.has('Power.Active.Import')) {
    phases(out, reading.powerW, { context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } }, (p) => p);
  }
  if (want.has('Current.Import')) {
    phases(out, reading.currentA, { context, measurand: 'Current.Import', unitOfMeasure: { unit: 'A' } }, (p) => p);
  }
  if (want.has('Voltage')) {
    // Phase-to-neutral voltages (the powermeter's voltage_V per phase).
    phases(out, reading.voltageV, { context, measurand: 'Voltage', unitOfMeasure: { unit: 'V' } },
      (p) => (p === 'N' ? 'N' : `${p}-N`));
  }
  if (want.has('Frequency') && reading.frequencyHz !== undefined) {
    out.push({ value: reading.frequencyHz, context, measurand: 'Frequency', unitOfMeasure: { unit: 'Hz' } });
  }
  return { timestamp: reading.timestamp, sampledValue: out };
}
