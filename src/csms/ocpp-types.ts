// The OCPP 2.0.1 JSON messages the CSMS link sends and answers, in OCPP's own camelCase. Only the fields
// TsOcpp uses; the authority is the schema set ocpp-rpc ships (lib/schemas/ocpp2_0_1.json), which checks
// every message both ways in strict mode. EVerest's snake_case forms are in src/generated/types/ocpp.ts;
// src/csms/mapping.ts is the one place that converts between the two.
import type { IdToken } from '../ocpp/auth/ocpp-types.js';
import type { ChargingProfile, ChargingProfilePurpose, ChargingRateUnit, CompositeSchedule } from '../ocpp/smart-charging/ocpp-types.js';

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';
export type BootReason =
  | 'ApplicationReset' | 'FirmwareUpdate' | 'LocalReset' | 'PowerUp' | 'RemoteReset' | 'ScheduledReset' | 'Triggered'
  | 'Unknown' | 'Watchdog';
export type AttributeType = 'Actual' | 'Target' | 'MinSet' | 'MaxSet';
export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';

export interface OcppEvse {
  id: number;
  connectorId?: number;
}
export interface OcppComponent {
  name: string;
  instance?: string;
  evse?: OcppEvse;
}
export interface OcppVariable {
  name: string;
  instance?: string;
}
export interface OcppStatusInfo {
  reasonCode: string;
  additionalInfo?: string;
}

/** B09 SetNetworkProfile; the APN and VPN parts are stored as given, TsOcpp does not use them. */
export interface NetworkConnectionProfile {
  ocppVersion: 'OCPP12' | 'OCPP15' | 'OCPP16' | 'OCPP20';
  ocppTransport: 'JSON' | 'SOAP';
  ocppCsmsUrl: string;
  messageTimeout: number;
  securityProfile: number;
  ocppInterface: string;
  apn?: object;
  vpn?: object;
}
export interface SetNetworkProfileRequest {
  configurationSlot: number;
  connectionData: NetworkConnectionProfile;
}
export interface SetNetworkProfileResponse {
  status: 'Accepted' | 'Rejected' | 'Failed';
  statusInfo?: OcppStatusInfo;
}

export interface BootNotificationRequest {
  reason: BootReason;
  chargingStation: { model: string; vendorName: string; serialNumber?: string; firmwareVersion?: string };
}
export interface BootNotificationResponse {
  currentTime: string;
  interval: number;
  status: RegistrationStatus;
  statusInfo?: OcppStatusInfo;
}

export type HeartbeatRequest = Record<string, never>;
export interface HeartbeatResponse {
  currentTime: string;
}

export interface StatusNotificationRequest {
  timestamp: string;
  connectorStatus: ConnectorStatus;
  evseId: number;
  connectorId: number;
}

export interface SecurityEventNotificationRequest {
  type: string;
  timestamp: string;
  techInfo?: string;
}

export interface OcppEventData {
  eventId: number;
  timestamp: string;
  trigger: 'Alerting' | 'Delta' | 'Periodic';
  cause?: number;
  actualValue: string;
  techCode?: string;
  techInfo?: string;
  cleared?: boolean;
  transactionId?: string;
  component: OcppComponent;
  variableMonitoringId?: number;
  eventNotificationType: 'HardWiredNotification' | 'HardWiredMonitor' | 'PreconfiguredMonitor' | 'CustomMonitor';
  variable: OcppVariable;
}
export interface NotifyEventRequest {
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  eventData: OcppEventData[];
}

export interface GetVariableData {
  attributeType?: AttributeType;
  component: OcppComponent;
  variable: OcppVariable;
}
export interface GetVariablesRequest {
  getVariableData: GetVariableData[];
}
export interface OcppGetVariableResult {
  attributeStatus: 'Accepted' | 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType';
  attributeStatusInfo?: OcppStatusInfo;
  attributeType?: AttributeType;
  attributeValue?: string;
  component: OcppComponent;
  variable: OcppVariable;
}
export interface GetVariablesResponse {
  getVariableResult: OcppGetVariableResult[];
}

export interface SetVariableData {
  attributeType?: AttributeType;
  attributeValue: string;
  component: OcppComponent;
  variable: OcppVariable;
}
export interface SetVariablesRequest {
  setVariableData: SetVariableData[];
}
export interface OcppSetVariableResult {
  attributeType?: AttributeType;
  attributeStatus: 'Accepted' | 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType' | 'RebootRequired';
  attributeStatusInfo?: OcppStatusInfo;
  component: OcppComponent;
  variable: OcppVariable;
}
export interface SetVariablesResponse {
  setVariableResult: OcppSetVariableResult[];
}

export type ReportBase = 'ConfigurationInventory' | 'FullInventory' | 'SummaryInventory';
export interface GetBaseReportRequest {
  requestId: number;
  reportBase: ReportBase;
}
export interface GetBaseReportResponse {
  status: 'Accepted' | 'Rejected' | 'NotSupported' | 'EmptyResultSet';
  statusInfo?: OcppStatusInfo;
}
export type ComponentCriterion = 'Active' | 'Available' | 'Enabled' | 'Problem';
export interface GetReportRequest {
  requestId: number;
  componentCriteria?: ComponentCriterion[];
  componentVariable?: Array<{ component: OcppComponent; variable?: OcppVariable }>;
}
export type GetReportResponse = GetBaseReportResponse;
export interface OcppVariableAttribute {
  type?: AttributeType;
  value?: string;
  mutability?: 'ReadOnly' | 'WriteOnly' | 'ReadWrite';
  persistent?: boolean;
  constant?: boolean;
}
export interface OcppVariableCharacteristics {
  unit?: string;
  dataType: 'string' | 'decimal' | 'integer' | 'dateTime' | 'boolean' | 'OptionList' | 'SequenceList' | 'MemberList';
  minLimit?: number;
  maxLimit?: number;
  valuesList?: string;
  supportsMonitoring: boolean;
}
export interface ReportData {
  component: OcppComponent;
  variable: OcppVariable;
  variableAttribute: OcppVariableAttribute[];
  variableCharacteristics?: OcppVariableCharacteristics;
}
export interface NotifyReportRequest {
  requestId: number;
  generatedAt: string;
  reportData?: ReportData[];
  tbc?: boolean;
  seqNo: number;
}

export interface ChangeAvailabilityRequest {
  operationalStatus: 'Operative' | 'Inoperative';
  evse?: OcppEvse;
}
export interface ChangeAvailabilityResponse {
  status: 'Accepted' | 'Rejected' | 'Scheduled';
  statusInfo?: OcppStatusInfo;
}

export interface OcppDataTransferRequest {
  vendorId: string;
  messageId?: string;
  /** Any JSON value (OCPP 2.0.1 DataTransferRequest.data has no type). */
  data?: unknown;
}
export interface OcppDataTransferResponse {
  status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';
  statusInfo?: OcppStatusInfo;
  data?: unknown;
}

export type MessageTrigger =
  | 'BootNotification' | 'LogStatusNotification' | 'FirmwareStatusNotification' | 'Heartbeat' | 'MeterValues'
  | 'SignChargingStationCertificate' | 'SignV2GCertificate' | 'StatusNotification' | 'TransactionEvent'
  | 'SignCombinedCertificate' | 'PublishFirmwareStatusNotification';
export interface TriggerMessageRequest {
  requestedMessage: MessageTrigger;
  evse?: OcppEvse;
}
export interface TriggerMessageResponse {
  status: 'Accepted' | 'Rejected' | 'NotImplemented';
  statusInfo?: OcppStatusInfo;
}

export interface ResetRequest {
  type: 'Immediate' | 'OnIdle';
  evseId?: number;
}
export interface ResetResponse {
  status: 'Accepted' | 'Rejected' | 'Scheduled';
  statusInfo?: OcppStatusInfo;
}

export interface GetTransactionStatusRequest {
  transactionId?: string;
}
export interface GetTransactionStatusResponse {
  ongoingIndicator?: boolean;
  messagesInQueue: boolean;
}
export interface RequestStopTransactionRequest {
  transactionId: string;
}
export interface RequestStopTransactionResponse {
  status: 'Accepted' | 'Rejected';
}

/** RequestStartTransaction (F01/F02); chargingProfile is taken as opaque: TsOcpp has no smart charging. */
export interface RequestStartTransactionRequest {
  evseId?: number;
  remoteStartId: number;
  idToken: IdToken;
  groupIdToken?: IdToken;
  chargingProfile?: ChargingProfile;
}
export interface RequestStartTransactionResponse {
  status: 'Accepted' | 'Rejected';
  transactionId?: string;
  statusInfo?: OcppStatusInfo;
}

/** UnlockConnector (F05). */
export interface UnlockConnectorRequest {
  evseId: number;
  connectorId: number;
}
export interface UnlockConnectorResponse {
  status: 'Unlocked' | 'UnlockFailed' | 'OngoingAuthorizedTransaction' | 'UnknownConnector';
  statusInfo?: OcppStatusInfo;
}

// Smart charging (K01, K08, K09, K10); the profile shapes are the room's (src/ocpp/smart-charging/ocpp-types.ts).

export interface SetChargingProfileRequest {
  evseId: number;
  chargingProfile: ChargingProfile;
}
export interface SetChargingProfileResponse {
  status: 'Accepted' | 'Rejected';
  statusInfo?: OcppStatusInfo;
}
export interface ClearChargingProfileRequest {
  chargingProfileId?: number;
  chargingProfileCriteria?: { evseId?: number; chargingProfilePurpose?: ChargingProfilePurpose; stackLevel?: number };
}
export interface ClearChargingProfileResponse {
  status: 'Accepted' | 'Unknown';
  statusInfo?: OcppStatusInfo;
}
export type ChargingLimitSource = 'EMS' | 'Other' | 'SO' | 'CSO';
export interface ChargingProfileCriterion {
  chargingProfilePurpose?: ChargingProfilePurpose;
  stackLevel?: number;
  chargingProfileId?: number[];
  chargingLimitSource?: ChargingLimitSource[];
}
export interface GetChargingProfilesRequest {
  requestId: number;
  evseId?: number;
  chargingProfile: ChargingProfileCriterion;
}
export interface GetChargingProfilesResponse {
  status: 'Accepted' | 'NoProfiles';
}
export interface ReportChargingProfilesRequest {
  requestId: number;
  chargingLimitSource: ChargingLimitSource;
  tbc?: boolean;
  evseId: number;
  chargingProfile: ChargingProfile[];
}
export interface GetCompositeScheduleRequest {
  duration: number;
  chargingRateUnit?: ChargingRateUnit;
  evseId: number;
}
export interface GetCompositeScheduleResponse {
  status: 'Accepted' | 'Rejected';
  schedule?: CompositeSchedule;
  statusInfo?: OcppStatusInfo;
}
