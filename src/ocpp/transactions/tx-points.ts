// TxCtrlr.TxStartPoint / TxStopPoint (OCPP 2.0.1 part 2, E01 and E06).
// A transaction starts when any configured start point is reached (E01) and ends when any configured
// stop point is no longer true (E06). The conditions are the ones everest-core's OCPP201 module tracks
// per EVSE (transaction_handler.hpp): PowerPathClosed is "authorized and EV connected", DataSigned never ends
// a transaction. EVerest has no parking bay sensor event, so ParkingBayOccupancy is never reached.
import type { DeviceModelRepository } from '../../device-model/repository.js';

export const TX_POINTS = [
  'ParkingBayOccupancy', 'EVConnected', 'Authorized', 'DataSigned', 'PowerPathClosed', 'EnergyTransfer',
] as const;
export type TxPoint = (typeof TX_POINTS)[number];

/** libocpp's defaults (config/v2/component_config/standardized/TxCtrlr.json). */
export const DEFAULT_TX_START_POINTS: readonly TxPoint[] = ['PowerPathClosed'];
export const DEFAULT_TX_STOP_POINTS: readonly TxPoint[] = ['EVConnected', 'Authorized'];

export interface TxConditions {
  evConnected: boolean;
  authorized: boolean;
  parkingBayOccupied: boolean;
  energyTransfer: boolean;
  dataSigned: boolean;
  /** A hard reset ends the transaction whatever the stop points (libocpp's IMMEDIATE_RESET). */
  immediateReset: boolean;
}

export const NO_CONDITIONS: Readonly<TxConditions> = {
  evConnected: false, authorized: false, parkingBayOccupied: false, energyTransfer: false, dataSigned: false,
  immediateReset: false,
};

export interface TxPoints {
  start: readonly TxPoint[];
  stop: readonly TxPoint[];
}

function isTxPoint(s: string): s is TxPoint {
  return (TX_POINTS as readonly string[]).includes(s);
}

/** A MemberList value ("EVConnected,Authorized"); unknown members are dropped, an empty list gives the fallback. */
export function parseTxPoints(value: string | null | undefined, fallback: readonly TxPoint[]): TxPoint[] {
  const points = (value ?? '').split(',').map((s) => s.trim()).filter(isTxPoint);
  return points.length > 0 ? [...new Set(points)] : [...fallback];
}

export function startPointReached(points: readonly TxPoint[], c: TxConditions): boolean {
  return points.some((p) => {
    switch (p) {
      case 'ParkingBayOccupancy': return c.parkingBayOccupied;
      case 'EVConnected': return c.evConnected;
      case 'Authorized': return c.authorized;
      case 'DataSigned': return c.dataSigned;
      case 'PowerPathClosed': return c.authorized && c.evConnected;
      case 'EnergyTransfer': return c.energyTransfer;
    }
    return false;
  });
}

export function stopPointReached(points: readonly TxPoint[], c: TxConditions): boolean {
  if (c.immediateReset) return true;
  return points.some((p) => {
    switch (p) {
      case 'ParkingBayOccupancy': return !c.parkingBayOccupied;
      case 'EVConnected': return !c.evConnected;
      case 'Authorized': return !c.authorized;
      case 'DataSigned': return false;
      case 'PowerPathClosed': return !c.authorized || !c.evConnected;
      case 'EnergyTransfer': return !c.energyTransfer;
    }
    return false;
  });
}

/** TxCtrlr's Actual values from the device model, each falling back to libocpp's default when unset or empty. */
export function readTxPoints(repo: DeviceModelRepository): TxPoints {
  return {
    start: parseTxPoints(repo.actualValue('TxCtrlr', 'TxStartPoint'), DEFAULT_TX_START_POINTS),
    stop: parseTxPoints(repo.actualValue('TxCtrlr', 'TxStopPoint'), DEFAULT_TX_STOP_POINTS),
  };
}
