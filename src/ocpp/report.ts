// Every component and variable with its attributes and characteristics, the material of a later
// GetBaseReport (OCPP 2.0.1 ReportDataType, snake_case). Like libocpp device_model.cpp get_base_report_data
// ("scrub WriteOnly value from report"), a WriteOnly attribute is listed without its value.
import type { AttributeType, DataType, Mutability } from '../device-model/types.js';
import type { Component, Variable } from '../generated/types/ocpp.js';
import { toComponent, toVariable, type ServiceContext } from './context.js';

export interface ReportAttribute {
  type: AttributeType;
  value?: string;
  mutability: Mutability;
  persistent: boolean;
  constant: boolean;
}

export interface ReportCharacteristics {
  data_type: DataType;
  unit?: string;
  min_limit?: number;
  max_limit?: number;
  values_list?: string;
  supports_monitoring: boolean;
}

export interface ReportEntry {
  component: Component;
  variable: Variable;
  variable_attribute: ReportAttribute[];
  variable_characteristics: ReportCharacteristics;
}

export function allVariables(ctx: ServiceContext): ReportEntry[] {
  const attributes = ctx.repo.allAttributes();
  const out: ReportEntry[] = [];
  for (const { component, variables } of ctx.repo.components()) {
    for (const variable of variables) {
      const ch = variable.characteristics;
      const characteristics: ReportCharacteristics = { data_type: ch.data_type, supports_monitoring: ch.supports_monitoring };
      if (ch.unit !== undefined) characteristics.unit = ch.unit;
      if (ch.min_limit !== undefined) characteristics.min_limit = ch.min_limit;
      if (ch.max_limit !== undefined) characteristics.max_limit = ch.max_limit;
      if (ch.values_list !== undefined) characteristics.values_list = ch.values_list;
      out.push({
        component: toComponent(component),
        variable: toVariable(variable),
        variable_attribute: (attributes.get(variable.id) ?? []).map((a) => {
          const r: ReportAttribute = { type: a.type, mutability: a.mutability, persistent: a.persistent, constant: a.constant };
          if (a.value !== null && a.mutability !== 'WriteOnly') r.value = a.value;
          return r;
        }),
        variable_characteristics: characteristics,
      });
    }
  }
  return out;
}
