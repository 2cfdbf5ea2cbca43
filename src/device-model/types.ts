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

export interface OutboxEntry {
  id: number;
  kind: 'SecurityEventNotification';
  created_at: string;
  /** OCPP 2.0.1 SecurityEventNotificationRequest, snake_case. */
  payload: { type: string; timestamp: string; tech_info?: string };
}
