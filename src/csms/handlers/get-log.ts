// GetLog (OCPP 2.0.1 N01), as libocpp's get_log_request_callback with everest-core OCPP201: the request goes to
// system.upload_logs (retries + 1: EVerest counts attempts, OCPP counts retries; type the logType), and the CSMS
// gets the system's answer (LogStatusEnum; 2023.12's AcceptedCancelled is AcceptedCanceled) with its file name,
// cut to OCPP's 255 characters as OCPP201 does. The upload's progress, the system's log_status var, becomes
// LogStatusNotifications (src/ocpp/firmware/activity.ts).
// Without a system connection: Rejected, with reasonCode NoSystemModule; nothing can upload logs.
import type { UploadLogsRequest } from '../../generated/types/system.js';
import type { GetLogRequest, GetLogResponse, LogStatus } from '../../ocpp/firmware/ocpp-types.js';
import type { CallHandler } from './context.js';

const FILENAME_MAX = 255;

/** OCPP201 conversions to_everest_upload_logs_request. */
export function toSystemUploadLogs(req: GetLogRequest): UploadLogsRequest {
  return {
    location: req.log.remoteLocation,
    type: req.logType,
    request_id: req.requestId,
    ...(req.retries !== undefined ? { retries: req.retries + 1 } : {}),
    ...(req.retryInterval !== undefined ? { retry_interval_s: req.retryInterval } : {}),
    ...(req.log.oldestTimestamp !== undefined ? { oldest_timestamp: req.log.oldestTimestamp } : {}),
    ...(req.log.latestTimestamp !== undefined ? { latest_timestamp: req.log.latestTimestamp } : {}),
  };
}

function toLogStatus(answer: string): LogStatus | undefined {
  if (answer === 'AcceptedCancelled' || answer === 'AcceptedCanceled') return 'AcceptedCanceled';
  return answer === 'Accepted' || answer === 'Rejected' ? answer : undefined;
}

export const getLog: CallHandler<GetLogRequest, GetLogResponse> = async (req, ctx) => {
  const system = ctx.systemControl;
  if (!system) {
    return { status: 'Rejected', statusInfo: { reasonCode: 'NoSystemModule', additionalInfo: 'no system module connected to upload logs' } };
  }
  const activity = ctx.service.activity;
  // Statuses the system reports while it answers are queued, and sent once the answer is out.
  activity.hold();
  ctx.after(() => activity.release());
  try {
    const answer = await system.uploadLogs(toSystemUploadLogs(req));
    const status = toLogStatus(String(answer?.upload_logs_status));
    if (status === undefined) {
      ctx.log.error({ requestId: req.requestId }, 'system upload_logs gave an unknown answer; GetLog Rejected');
      return { status: 'Rejected' };
    }
    const name = answer.file_name;
    return { status, ...(typeof name === 'string' && name !== '' ? { filename: name.slice(0, FILENAME_MAX) } : {}) };
  } catch (err) {
    ctx.log.error({ err, requestId: req.requestId }, 'system upload_logs failed; GetLog Rejected');
    return { status: 'Rejected', statusInfo: { reasonCode: 'InternalError', additionalInfo: 'the system module did not answer upload_logs' } };
  }
};
