// The station's clock from the CSMS (OCPP 2.0.1 B01.FR.06, G02): the currentTime of an Accepted
// BootNotification and of every Heartbeat answer goes to the `system` requirement's set_system_time when
// ClockCtrlr TimeSource names Heartbeat, as libocpp provisioning.cpp / availability.cpp hand it to everest-core
// OCPP201's time_sync_callback (a substring test on TimeSource; a Heartbeat's time gets half the round trip
// added, the BootNotification's none). A move of the clock by more than ClockCtrlr
// TimeAdjustmentReportingThreshold seconds raises the critical security event SettingSystemTime (the
// threshold's definition in libocpp's ClockCtrlr.json; libocpp itself raises nothing); unset, nothing is
// reported. The event is raised once per move: everest-core's System module (2023.12 and 2026.02) answers
// set_system_time true without setting the clock, so the same offset comes back with every Heartbeat, and would
// otherwise raise a critical event every interval (seen under a real manager, bench/everest/README.md). Without a
// system connection nothing is sent: TsOcpp does not set the machine's clock itself.
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import type { SystemControl } from './system-control.js';
import type { Timers } from './timers.js';
import { cvOf, readInt, readString } from './variables.js';

export const TIME_SOURCE = cvOf('ClockCtrlr', 'TimeSource');
export const TIME_ADJUSTMENT_REPORTING_THRESHOLD = cvOf('ClockCtrlr', 'TimeAdjustmentReportingThreshold');

export interface ClockSyncOptions {
  service: OcppService;
  log: Logger;
  timers: Timers;
  systemControl: SystemControl | undefined;
  securityEvent(type: string, info: string): void;
}

export class ClockSync {
  readonly #o: ClockSyncOptions;
  #saidNoSystem = false;
  /** The CSMS-minus-station offset (s) last reported as SettingSystemTime; cleared once the clocks agree again. */
  #reportedMoveS: number | undefined;
  #saidNotMoved = false;

  constructor(opts: ClockSyncOptions) {
    this.#o = opts;
  }

  /**
   * A currentTime from the CSMS. sentAt: when the request went out (ms, the link's clock), for the
   * Heartbeat's time of flight.
   */
  sync(currentTime: string, source: 'BootNotification' | 'Heartbeat', sentAt?: number): void {
    const { service, log, timers } = this.#o;
    if (!(readString(service, TIME_SOURCE) ?? '').includes('Heartbeat')) return;
    const system = this.#o.systemControl;
    if (!system) {
      if (!this.#saidNoSystem) log.debug('ClockCtrlr TimeSource says Heartbeat but there is no system connection: the clock is left alone');
      this.#saidNoSystem = true;
      return;
    }
    const csms = Date.parse(currentTime);
    if (Number.isNaN(csms)) return;
    const now = timers.now().getTime();
    const flight = source === 'Heartbeat' && sentAt !== undefined ? Math.max(0, (now - sentAt) / 2) : 0;
    const time = new Date(Math.round(csms + flight));
    const moveS = (time.getTime() - now) / 1000;
    const threshold = readInt(service, TIME_ADJUSTMENT_REPORTING_THRESHOLD, -1);
    system.setSystemTime(time.toISOString()).then(
      (ok) => {
        if (!ok) {
          log.warn({ source }, 'system set_system_time refused the CSMS time');
          return;
        }
        log.debug({ source, moveS }, 'system time set from the CSMS');
        if (threshold < 0) return;
        if (Math.abs(moveS) <= threshold) {
          this.#reportedMoveS = undefined;
          return;
        }
        const reported = this.#reportedMoveS;
        if (reported !== undefined && Math.abs(moveS - reported) <= threshold) {
          // The same offset as last time: the system module said true but the clock did not move.
          if (!this.#saidNotMoved) log.warn({ source, moveS }, 'system set_system_time said true but the clock did not move; SettingSystemTime is not raised again for the same offset');
          this.#saidNotMoved = true;
          return;
        }
        this.#reportedMoveS = moveS;
        this.#o.securityEvent('SettingSystemTime', `system time set from the ${source} answer of the CSMS, moved by ${moveS.toFixed(1)} s`);
      },
      (err: unknown) => log.error({ err, source }, 'system set_system_time failed'),
    );
  }
}
