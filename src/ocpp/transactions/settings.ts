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

export function readTransactionSettings(repo: DeviceModelRepository): TransactionSettings {
  return {
    points: readTxPoints(repo),
    measurands: {
      started: parseMeasurands(repo.actualValue('SampledDataCtrlr', 'TxStartedMeasurands')),
      updated: parseMeasurands(repo.actualValue('SampledDataCtrlr', 'TxUpdatedMeasurands')),
      ended: parseMeasurands(repo.actualValue('SampledDataCtrlr', 'TxEndedMeasurands')),
      clock: parseMeasurands(repo.actualValue('AlignedDataCtrlr', 'Measurands')),
      endedClock: parseMeasurands(repo.actualValue('AlignedDataCtrlr', 'TxEndedMeasurands')),
    },
  };
}
