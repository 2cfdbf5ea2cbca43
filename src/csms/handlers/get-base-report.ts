// GetBaseReport (OCPP 2.0.1 B07): answered first, then the report follows in NotifyReport parts
// (libocpp provisioning.cpp handle_get_base_report_req). Nothing to report: EmptyResultSet
// (GenericDeviceModelStatusEnumType). While the boot is Pending the parts wait for Accepted (libocpp
// discards non-transaction messages before Accepted unless QueueAllMessages; TsOcpp holds them).
import { MAX_ATTRIBUTE_VALUE } from '../mapping.js';
import type { GetBaseReportRequest, GetBaseReportResponse } from '../ocpp-types.js';
import { reportData, splitReport } from '../station/report.js';
import { readMaxMessageSize, readReportingValueSize } from '../variables.js';
import type { CallHandler } from './context.js';

export const getBaseReport: CallHandler<GetBaseReportRequest, GetBaseReportResponse> = (req, ctx) => {
  const data = reportData(ctx.service, req.reportBase, readReportingValueSize(ctx.service, MAX_ATTRIBUTE_VALUE));
  if (data.length === 0) return { status: 'EmptyResultSet' };
  const parts = splitReport(req.requestId, data, readMaxMessageSize(ctx.service), ctx.now().toISOString());
  ctx.after(() => ctx.station.report(parts));
  return { status: 'Accepted' };
};
