// GetReport (OCPP 2.0.1 B08): the request's own limits first (DeviceDataCtrlr ItemsPerMessage and
// BytesPerMessage of GetReport: B08.FR.17 OccurrenceConstraintViolation, B08.FR.18 FormatViolation), then a
// criterion InternalCtrlr SupportedCriteria does not list is NotSupported, nothing selected is
// EmptyResultSet; otherwise Accepted, and the report follows in NotifyReport parts as GetBaseReport's do
// (libocpp provisioning.cpp handle_get_report_req; selection in station/report.ts).
import { MAX_ATTRIBUTE_VALUE } from '../mapping.js';
import type { GetReportRequest, GetReportResponse } from '../ocpp-types.js';
import { createRPCError } from '../rpc.js';
import { customReportData, splitReport } from '../station/report.js';
import { cvOf, readMaxMessageSize, readMessageLimits, readReportingValueSize, readString } from '../variables.js';
import type { CallHandler } from './context.js';

export const getReport: CallHandler<GetReportRequest, GetReportResponse> = (req, ctx) => {
  const limits = readMessageLimits(ctx.service, 'GetReport');
  if ((req.componentVariable?.length ?? 0) > limits.items) {
    throw createRPCError('OccurrenceConstraintViolation', `at most ${limits.items} componentVariable entries per GetReport (DeviceDataCtrlr ItemsPerMessage)`);
  }
  if (ctx.payloadBytes > limits.bytes) {
    throw createRPCError('FormatViolation', `at most ${limits.bytes} bytes per GetReport (DeviceDataCtrlr BytesPerMessage)`);
  }
  const supported = readString(ctx.service, cvOf('InternalCtrlr', 'SupportedCriteria'));
  if (supported !== undefined && req.componentCriteria !== undefined) {
    const members = new Set(supported.split(',').map((s) => s.trim()));
    const missing = req.componentCriteria.find((c) => !members.has(c));
    if (missing !== undefined) {
      return { status: 'NotSupported', statusInfo: { reasonCode: 'UnsupportedParam', additionalInfo: `criterion ${missing} is not in SupportedCriteria` } };
    }
  }
  const data = customReportData(ctx.service, req.componentCriteria, req.componentVariable, readReportingValueSize(ctx.service, MAX_ATTRIBUTE_VALUE));
  if (data.length === 0) return { status: 'EmptyResultSet' };
  const parts = splitReport(req.requestId, data, readMaxMessageSize(ctx.service), ctx.now().toISOString());
  ctx.after(() => ctx.station.report(parts));
  return { status: 'Accepted' };
};
