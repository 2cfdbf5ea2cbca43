// The device model values the transaction machine reads (TxCtrlr, SampledDataCtrlr, AlignedDataCtrlr), read at each event so a change by the CSMS or the
// bus takes effect for the next session without a restart (issue 16 items 2 and 3).
import type { DeviceModelRepository } from '../../device-model/repository.js';
import { parseMeasurands } from './meter-value.js';
import type { TxMeasurands } from './transaction-events.js';
import { readTxPoints, type TxPoints } from './tx-points.js';

export interface TransactionSettings {
  points: TxPoints;
  measurands: TxMeasurands;
}

function actual(repo: DeviceModelRepository, component: string, variable: string): string | null | undefined {
  const c = repo.findComponent({ name: component });
  const v = c && repo.findVariable(c.id, variable);
  return v ? repo.attribute(v.id, 'Actual')?.value : undefined;
}

export function readTransactionSettings(repo: DeviceModelRepository): TransactionSettings {
  return {
    points: readTxPoints(repo),
    measurands: {
      started: parseMeasurands(actual(repo, 'SampledDataCtrlr', 'TxStartedMeasurands')),
      updated: parseMeasurands(actual(repo, 'SampledDataCtrlr', 'TxUpdatedMeasurands')),
      ended: parseMeasurands(actual(repo, 'SampledDataCtrlr', 'TxEndedMeasurands')),
      clock: parseMeasurands(actual(repo, 'AlignedDataCtrlr', 'Measurands')),
      endedClock: parseMeasurands(actual(repo, 'AlignedDataCtrlr', 'TxEndedMeasurands')),
    },
  };
}
