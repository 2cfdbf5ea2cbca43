// data_transfer: a registry of handlers by vendor id, then message id.
// OCPP 2.0.1 P01/P02: an unknown vendorId answers UnknownVendorId, a known vendor with an unknown messageId
// answers UnknownMessageId. vendorId (CiString<255>) and messageId (CiString<50>) are case-insensitive.
import type { Logger } from '../log.js';
import type {
  AttributeEnum, ComponentVariable, DataTransferRequest, DataTransferResponse,
} from '../generated/types/ocpp.js';
import type { ReadResult } from './get-variables.js';

export type DataTransferHandler = (req: DataTransferRequest) => DataTransferResponse | Promise<DataTransferResponse>;

/** Registers for every message id of a vendor that has no handler of its own (and for an absent one). */
export const ANY_MESSAGE = '*';

const VALID_STATUSES = new Set(['Accepted', 'Rejected', 'UnknownMessageId', 'UnknownVendorId']);

export class DataTransferRegistry {
  readonly #vendors = new Map<string, Map<string, DataTransferHandler>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Adds a handler; returns a function that removes it. A second handler for the same pair replaces the first. */
  register(vendorId: string, messageId: string, handler: DataTransferHandler): () => void {
    const vendorKey = vendorId.toLowerCase();
    const messageKey = messageId === ANY_MESSAGE ? ANY_MESSAGE : messageId.toLowerCase();
    let messages = this.#vendors.get(vendorKey);
    if (!messages) {
      messages = new Map();
      this.#vendors.set(vendorKey, messages);
    }
    messages.set(messageKey, handler);
    return () => {
      const m = this.#vendors.get(vendorKey);
      if (m?.get(messageKey) !== handler) return;
      m.delete(messageKey);
      if (m.size === 0) this.#vendors.delete(vendorKey);
    };
  }

  async handle(req: DataTransferRequest): Promise<DataTransferResponse> {
    const messages = this.#vendors.get(String(req.vendor_id).toLowerCase());
    if (!messages) return { status: 'UnknownVendorId' };
    const handler =
      (req.message_id !== undefined ? messages.get(req.message_id.toLowerCase()) : undefined) ?? messages.get(ANY_MESSAGE);
    if (!handler) return { status: 'UnknownMessageId' };
    try {
      const res = await handler(req);
      if (!res || !VALID_STATUSES.has(res.status)) {
        this.#log.error({ vendor_id: req.vendor_id, message_id: req.message_id }, 'data_transfer handler returned no valid status');
        return { status: 'Rejected' };
      }
      const out: DataTransferResponse = { status: res.status };
      if (typeof res.data === 'string') out.data = res.data;
      return out;
    } catch (err) {
      // A failing handler is the station's problem, not the caller's: answer Rejected and log it.
      this.#log.error({ vendor_id: req.vendor_id, message_id: req.message_id, err }, 'data_transfer handler threw');
      return { status: 'Rejected' };
    }
  }
}

export const TSOCPP_VENDOR_ID = 'org.tsocpp';

/**
 * vendor "org.tsocpp", message "GetVariable": data is JSON {"component": {...}, "variable": {...},
 * "attribute_type"?}; answers Accepted with data {"value": "..."}, or Rejected with data {"status": "..."}
 * naming the get_variables status (a WriteOnly variable answers Rejected, never its value).
 */
export function registerBuiltinHandlers(
  registry: DataTransferRegistry,
  read: (cv: ComponentVariable, attributeType?: AttributeEnum) => ReadResult,
): void {
  registry.register(TSOCPP_VENDOR_ID, 'GetVariable', (req) => {
    const rejected = (status: string): DataTransferResponse => ({ status: 'Rejected', data: JSON.stringify({ status }) });
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.data ?? '');
    } catch {
      return rejected('InvalidJson');
    }
    const cv = asComponentVariable(parsed);
    if (!cv) return rejected('InvalidRequest');
    const attr = (parsed as { attribute_type?: unknown }).attribute_type;
    if (attr !== undefined && attr !== 'Actual' && attr !== 'Target' && attr !== 'MinSet' && attr !== 'MaxSet') {
      return rejected('InvalidRequest');
    }
    const result = read(cv, attr);
    if (result.status !== 'Accepted' || result.value === undefined) return rejected(result.status);
    return { status: 'Accepted', data: JSON.stringify({ value: result.value }) };
  });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asComponentVariable(v: unknown): ComponentVariable | undefined {
  if (!isObj(v) || !isObj(v.component) || !isObj(v.variable)) return undefined;
  const c = v.component;
  const x = v.variable;
  if (typeof c.name !== 'string' || typeof x.name !== 'string') return undefined;
  if (c.instance !== undefined && typeof c.instance !== 'string') return undefined;
  if (x.instance !== undefined && typeof x.instance !== 'string') return undefined;
  const cv: ComponentVariable = { component: { name: c.name }, variable: { name: x.name } };
  if (typeof c.instance === 'string') cv.component.instance = c.instance;
  if (typeof x.instance === 'string') cv.variable.instance = x.instance;
  if (c.evse !== undefined) {
    if (!isObj(c.evse) || !Number.isInteger(c.evse.id)) return undefined;
    cv.component.evse = { id: c.evse.id as number };
    if (c.evse.connector_id !== undefined) {
      if (!Number.isInteger(c.evse.connector_id)) return undefined;
      cv.component.evse.connector_id = c.evse.connector_id as number;
    }
  }
  return cv;
}
