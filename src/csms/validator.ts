// Strict mode for the CSMS link: every message both ways is checked against the OCPP 2.0.1 schemas that
// ocpp-rpc ships (lib/schemas/ocpp2_0_1.json), compiled once per process. ocpp-rpc's own validator names
// the first failing ajv keyword (TypeConstraintViolation, OccurenceConstraintViolation, ...); TsOcpp answers
// every CALL whose payload does not fit its schema with FormatViolation, like libocpp, whose
// charge_point.cpp message_callback answers a payload it cannot read into the message type with a format
// violation. ajv's text stays in the description, and the details carry the ajv errors (not the payload).
import { createRequire } from 'node:module';
import { createRPCError, createValidator } from './rpc.js';

export const OCPP201 = 'ocpp2.0.1';

type Validator = ReturnType<typeof createValidator>;

const SCHEMA_FAILURES: ReadonlySet<string> = new Set([
  'FormatViolation', 'FormationViolation', 'TypeConstraintViolation', 'PropertyConstraintViolation',
  'OccurenceConstraintViolation', 'OccurrenceConstraintViolation',
]);

let shared: Validator | undefined;
let actions: ReadonlySet<string> | undefined;

function schemas(): Array<{ $id?: string }> {
  const require = createRequire(import.meta.url);
  return require('ocpp-rpc/lib/schemas/ocpp2_0_1.json') as Array<{ $id?: string }>;
}

export function strictValidator(): Validator {
  if (shared) return shared;
  const base = createValidator(OCPP201, schemas());
  const wrapped = Object.create(base) as Validator;
  wrapped.validate = (schemaId: string, params: unknown) => {
    try {
      return base.validate(schemaId, params);
    } catch (err) {
      const e = err as { rpcErrorCode?: string; message?: string; details?: { errors?: unknown } };
      if (e.rpcErrorCode === undefined || !SCHEMA_FAILURES.has(e.rpcErrorCode)) throw err;
      throw createRPCError('FormatViolation', e.message ?? 'payload does not fit its schema', { errors: e.details?.errors ?? [] });
    }
  };
  shared = wrapped;
  return wrapped;
}

/** Every action of OCPP 2.0.1 (both directions), from the schema ids "urn:<Action>.req". */
export function knownActions(): ReadonlySet<string> {
  if (actions) return actions;
  const out = new Set<string>();
  for (const s of schemas()) {
    const m = /^urn:(.+)\.req$/.exec(s.$id ?? '');
    if (m?.[1]) out.add(m[1]);
  }
  actions = out;
  return out;
}
