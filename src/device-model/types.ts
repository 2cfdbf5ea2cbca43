// Row and definition types of the device model. Plain string unions, kept structurally equal to the
// generated OCPP types so this layer does not depend on the bus codegen.

export const ATTRIBUTE_TYPES = ['Actual', 'Target', 'MinSet', 'MaxSet'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export const MUTABILITIES = ['ReadOnly', 'WriteOnly', 'ReadWrite'] as const;
export type Mutability = (typeof MUTABILITIES)[number];

// OCPP 2.0.1 DataEnumType.
export const DATA_TYPES = [
  'string', 'decimal', 'integer', 'dateTime', 'boolean', 'OptionList', 'SequenceList', 'MemberList',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Identifies one component: name, optional instance, optional EVSE and connector. */
export interface ComponentKey {
  name: string;
  instance?: string | undefined;
  evse_id?: number | undefined;
  connector_id?: number | undefined;
}

export interface ComponentRow extends ComponentKey {
  id: number;
}

export interface Characteristics {
  data_type: DataType;
  unit?: string | undefined;
  min_limit?: number | undefined;
  max_limit?: number | undefined;
  values_list?: string | undefined;
  supports_monitoring: boolean;
}

export interface VariableRow {
  id: number;
  component_id: number;
  name: string;
  instance?: string | undefined;
  reboot_required: boolean;
  characteristics: Characteristics;
}

export interface AttributeRow {
  id: number;
  variable_id: number;
  type: AttributeType;
  /** null: the attribute exists but has no value. */
  value: string | null;
  default_value: string | null;
  mutability: Mutability;
  persistent: boolean;
  constant: boolean;
}

/** One variable to seed, after the config files were parsed and expanded per EVSE/connector. */
export interface VariableDefinition {
  name: string;
  instance?: string | undefined;
  reboot_required: boolean;
  characteristics: Characteristics;
  attributes: Array<{
    type: AttributeType;
    mutability: Mutability;
    value: string | null;
    persistent: boolean;
    constant: boolean;
  }>;
}

export interface ComponentDefinition {
  component: ComponentKey;
  variables: VariableDefinition[];
  /** Where it came from, for error messages. */
  source: string;
}

export type OperationalStatus = 'Operative' | 'Inoperative';

export interface AvailabilityRow {
  evse_id: number; // 0: the charging station
  connector_id: number; // 0: the EVSE itself
  operational_status: OperationalStatus;
  scheduled_status: OperationalStatus | null;
}

export interface SecurityLogEntry {
  id: number;
  timestamp: string;
  type: string;
  info?: string;
  critical: boolean;
}

/** OCPP 2.0.1 SecurityEventNotificationRequest, snake_case (the bus form). */
export interface SecurityEventOutboxPayload {
  type: string;
  timestamp: string;
  tech_info?: string;
}

/** OCPP 2.0.1 TransactionEventRequest as it will be sent (camelCase); only eventType matters to the outbox. */
export type TransactionEventOutboxPayload = { eventType: 'Started' | 'Updated' | 'Ended' } & Record<string, unknown>;

/** OCPP 2.0.1 MeterValuesRequest as it will be sent (J01 clock-aligned values of an EVSE without a transaction). */
export type MeterValuesOutboxPayload = { evseId: number; meterValue: unknown[] } & Record<string, unknown>;

/** OCPP 2.0.1 NotifyChargingLimitRequest / ClearedChargingLimitRequest as they will be sent (K12, K13). */
export type ChargingLimitOutboxPayload = { evseId: number } & Record<string, unknown>;
/** OCPP 2.0.1 FirmwareStatusNotificationRequest / LogStatusNotificationRequest as they will be sent (L01, N01). */
export type StatusNotificationOutboxPayload = { status: string; requestId?: number } & Record<string, unknown>;

export type OutboxEntry =
  | { id: number; kind: 'SecurityEventNotification'; created_at: string; payload: SecurityEventOutboxPayload }
  | { id: number; kind: 'TransactionEvent'; created_at: string; payload: TransactionEventOutboxPayload }
  | { id: number; kind: 'MeterValues'; created_at: string; payload: MeterValuesOutboxPayload }
  | { id: number; kind: 'NotifyChargingLimit'; created_at: string; payload: ChargingLimitOutboxPayload }
  | { id: number; kind: 'ClearedChargingLimit'; created_at: string; payload: ChargingLimitOutboxPayload }
  | { id: number; kind: 'FirmwareStatusNotification'; created_at: string; payload: StatusNotificationOutboxPayload }
  | { id: number; kind: 'LogStatusNotification'; created_at: string; payload: StatusNotificationOutboxPayload };

export type OutboxKind = OutboxEntry['kind'];
export type OutboxPayload<K extends OutboxKind> = Extract<OutboxEntry, { kind: K }>['payload'];
/** A kind with its payload, before it has an id. */
export type OutboxItem = { [K in OutboxKind]: { kind: K; payload: OutboxPayload<K> } }[OutboxKind];

/**
 * What goes first when the outbox is full (outbox_max_entries), after libocpp 2026.02.0 common/message_queue.hpp
 * check_queue_sizes: `normal` entries first, oldest first; then every second `transaction_update`
 * (TransactionEvent Updated; never Started or Ended, never the newest Updated); `transaction` never.
 * One deviation: libocpp's v2 is_transaction_message also counts SecurityEventNotification as transactional,
 * so it never drops one and a flood of critical events grows its queue without bound; here they are `normal`.
 */
export type OutboxClass = 'normal' | 'transaction_update' | 'transaction';
export const OUTBOX_CLASSES: readonly OutboxClass[] = ['normal', 'transaction_update', 'transaction'];

/** The one place that says which class an entry is. */
export function outboxClassOf(e: OutboxItem): OutboxClass {
  switch (e.kind) {
    case 'SecurityEventNotification': return 'normal';
    // libocpp's v2 is_transaction_message: MeterValues is not transactional (dropped first when full).
    case 'MeterValues': return 'normal';
    case 'NotifyChargingLimit': return 'normal';
    case 'ClearedChargingLimit': return 'normal';
    // Not transactional in libocpp either (dispatch_call_async of a non-transaction message).
    case 'FirmwareStatusNotification':
    case 'LogStatusNotification': return 'normal';
    case 'TransactionEvent': return e.payload.eventType === 'Updated' ? 'transaction_update' : 'transaction';
  }
}

/** What one append did to keep the bound: entries dropped per kind, and how far over the bound it stays. */
export interface OutboxAppendResult {
  id: number;
  dropped: Partial<Record<OutboxKind, number>>;
  /** Entries above the bound that were kept (only transactional ones were left to drop). */
  over: number;
}
