// The storage of the firmware room behind a small interface (sqlite-store.ts keeps it in the device model file):
// the last firmware status and the last log upload status the system module reported, each with its requestId,
// so TriggerMessage (L01.FR.25/26, N01) and a restart in the middle of an update know where things stood.
import type { FirmwareStatus, UploadLogStatus } from './ocpp-types.js';

export type ActivityKind = 'firmware' | 'log';

export interface Activity<S extends string> {
  status: S;
  /** Absent for a status without a request (Idle). */
  requestId?: number;
  updatedAt: string;
}

export interface ActivityStore {
  firmware(): Activity<FirmwareStatus> | undefined;
  log(): Activity<UploadLogStatus> | undefined;
  /** Writes one kind's activity (the caller's transaction makes it atomic with the outbox entry). */
  put(kind: ActivityKind, a: Activity<string>): void;
}
