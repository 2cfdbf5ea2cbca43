// Everything that differs between the framework's two bus dialects lives here: topics, envelopes,
// the config request and its answer, ready, and error objects. The rest of the bus client asks this
// layer and never tests which dialect it is.
//
// v25:  everest-framework v0.25+ (msg_type envelope, one topic per cmd, replies on .../response/<origin>).
// v22:  v0.22-v0.24 (bare payloads, one cmd topic per implementation, config over `config/request`).
// v19:  v0.19-v0.21 (as v22, config over `modules/<id>/get_config`, error answers ignored by callers).
// Source: ../shared/everest-bus.md and everest-framework lib/everest.cpp at each tag.
import type { CmdErrorType } from '../errors.js';
import { isObject } from '../is-object.js';

export const DIALECT_NAMES = ['v25', 'v22', 'v19'] as const;
/** The dialect the embedded default speaks unless told otherwise: the newest framework's. */
export const NEWEST_DIALECT: DialectName = DIALECT_NAMES[0];
export type DialectName = (typeof DIALECT_NAMES)[number];

export function isDialectName(value: string): value is DialectName {
  return (DIALECT_NAMES as readonly string[]).includes(value);
}

export type MsgType =
  | 'Var' | 'Cmd' | 'CmdResult' | 'RaiseError' | 'ClearError' | 'GetConfig' | 'GetConfigResponse'
  | 'ModuleReady' | 'GlobalReady' | 'Heartbeat';

/** An inbound call, whatever dialect carried it. */
export interface InboundCall {
  cmd: string;
  id: unknown;
  origin: unknown;
  args: unknown;
}

/** An inbound result of one of our own calls. */
export interface InboundResult {
  id: unknown;
  retval: unknown;
  error: unknown;
}

export interface ErrorObject {
  type: CmdErrorType;
  msg: string;
}

/** The answer to a config request, as the manager sent it (dialect-specific shapes, normalized later). */
export interface ConfigRequest {
  topic: string;
  responseTopic: string;
  payload: string;
}

// v0.22 used other names for the same six error types (everest-framework v0.22 include/utils/types.hpp).
const V22_ERROR_NAMES: Record<CmdErrorType, string> = {
  MessageParsingError: 'MessageParsingFailed',
  SchemaValidationError: 'SchemaValidationFailed',
  HandlerException: 'HandlerException',
  CmdTimeout: 'Timeout',
  Shutdown: 'Shutdown',
  NotReady: 'NotReady',
};
const FROM_V22_NAME: Record<string, CmdErrorType> = Object.fromEntries(
  Object.entries(V22_ERROR_NAMES).map(([k, v]) => [v, k as CmdErrorType]),
);

export interface Dialect {
  readonly name: DialectName;
  /** Human label of the framework range, logged once at start. */
  readonly frameworkRange: string;

  /** Serialize `data` for an everest topic. `json` is `JSON.stringify(data)` already done by the caller. */
  wrap(kind: MsgType, json: string): string;
  /** Take the inner payload out of a parsed everest message; undefined when the envelope does not fit. */
  unwrap(parsed: unknown, kind: MsgType): unknown;

  /** Topics to subscribe to for serving `cmds` of an implementation. */
  cmdServeTopics(implPrefix: string, cmds: readonly string[]): string[];
  /** Read a call from a message on a cmd serve topic; 'ignore' for our own results (old dialect echo). */
  readCall(implPrefix: string, topic: string, inner: unknown): InboundCall | 'ignore' | undefined;
  /** The cmd a serve topic names, for answering an unreadable call; undefined where one topic serves every cmd. */
  cmdOfServeTopic(implPrefix: string, topic: string): string | undefined;
  replyTopic(implPrefix: string, cmd: string, origin: string): string;
  encodeResult(cmd: string, id: unknown, self: string, body: { retval: unknown } | { error: ErrorObject }): string;

  callTopic(implPrefix: string, cmd: string): string;
  /** Where the answer to our call arrives. */
  callReplyTopic(implPrefix: string, cmd: string, self: string): string;
  encodeCall(cmd: string, id: string, args: unknown, self: string): string;
  /** Read a result from a message on a call reply topic; undefined when it is not a result. */
  readResult(inner: unknown): InboundResult | undefined;

  varTopic(implPrefix: string, name: string): string;
  encodeVar(name: string, valueJson: string): string;
  /** Read a var from its topic; undefined when the message is not that var. */
  readVar(name: string, inner: unknown): { value: unknown } | undefined;

  errorTopic(implPrefix: string, errorType: string): string;
  errorSubscription(implPrefix: string): string;

  errorObject(type: CmdErrorType, msg: string): Record<string, string>;
  readErrorObject(value: unknown): ErrorObject | undefined;

  readyPayload(): string;
  readGlobalReady(parsed: unknown): boolean;
  /** For the embedded config service: a module's ready, as this dialect's manager accepts it. */
  readModuleReady(parsed: unknown): boolean;
  configRequest(prefix: string, moduleId: string): ConfigRequest;
  /** For the embedded config service: the filter on which this dialect's manager takes config requests. */
  configRequestFilter(prefix: string): string;
  /** For the embedded config service: whether this dialect's manager publishes `forward_exceptions` in `settings`. */
  readonly settingsForwardExceptions: boolean;
  /** The answer of the manager to our config request, reduced to `{module_config, mappings}`. */
  readConfigAnswer(parsed: unknown, moduleId: string): { module_config: unknown; mappings: unknown } | undefined;
}

const v25: Dialect = {
  name: 'v25',
  frameworkRange: 'everest-framework v0.25+',
  // nlohmann::json writes object keys sorted: "data" comes before "msg_type" (lib/types.cpp).
  wrap: (kind, json) => `{"data":${json},"msg_type":"${kind}"}`,
  unwrap(parsed, kind) {
    if (!isObject(parsed) || parsed.msg_type !== kind || !('data' in parsed)) return undefined;
    return parsed.data;
  },
  cmdServeTopics: (implPrefix, cmds) => cmds.map((c) => `${implPrefix}/cmd/${c}`),
  readCall(implPrefix, topic, inner) {
    if (!isObject(inner)) return undefined;
    const cmd = topic.slice(implPrefix.length + 5); // `${implPrefix}/cmd/`
    return { cmd, id: inner.id, origin: inner.origin, args: inner.args };
  },
  cmdOfServeTopic(implPrefix, topic) {
    const tail = topic.slice(implPrefix.length + 5); // `${implPrefix}/cmd/`
    return tail.length > 0 ? tail : undefined;
  },
  replyTopic: (implPrefix, cmd, origin) => `${implPrefix}/cmd/${cmd}/response/${origin}`,
  encodeResult(_cmd, id, self, body) {
    const tail = 'error' in body
      ? `"error":${JSON.stringify(v25.errorObject(body.error.type, body.error.msg))},"id":${JSON.stringify(id)},"origin":${JSON.stringify(self)}`
      : `"id":${JSON.stringify(id)},"origin":${JSON.stringify(self)},"retval":${JSON.stringify(body.retval ?? null)}`;
    return v25.wrap('CmdResult', `{"data":{${tail}},"type":"result"}`);
  },
  callTopic: (implPrefix, cmd) => `${implPrefix}/cmd/${cmd}`,
  callReplyTopic: (implPrefix, cmd, self) => `${implPrefix}/cmd/${cmd}/response/${self}`,
  encodeCall: (_cmd, id, args, self) =>
    v25.wrap('Cmd', `{"args":${JSON.stringify(args ?? {})},"id":${JSON.stringify(id)},"origin":${JSON.stringify(self)}}`),
  readResult(inner) {
    if (!isObject(inner) || inner.type !== 'result' || !isObject(inner.data)) return undefined;
    return { id: inner.data.id, retval: inner.data.retval, error: inner.data.error };
  },
  varTopic: (implPrefix, name) => `${implPrefix}/var/${name}`,
  encodeVar: (_name, valueJson) => v25.wrap('Var', `{"data":${valueJson}}`),
  readVar(_name, inner) {
    if (!isObject(inner) || !('data' in inner)) return undefined;
    return { value: inner.data };
  },
  errorTopic: (implPrefix, errorType) => `${implPrefix}/error/${errorType}`,
  errorSubscription: (implPrefix) => `${implPrefix}/error/#`,
  errorObject: (type, msg) => ({ __everest__error_msg: msg, __everest__error_type: type }),
  readErrorObject: readModernError,
  readyPayload: () => v25.wrap('ModuleReady', 'true'),
  readGlobalReady: (parsed) => isObject(parsed) && parsed.msg_type === 'GlobalReady' && parsed.data === true,
  readModuleReady: (parsed) => isObject(parsed) && parsed.msg_type === 'ModuleReady' && parsed.data === true,
  configRequest: (prefix, moduleId) => ({
    topic: `${prefix}config/request`,
    responseTopic: `${prefix}modules/${moduleId}/response`,
    payload: v25.wrap('GetConfig', JSON.stringify({ origin: moduleId, request: { type: 'Module' }, type: 'Get' })),
  }),
  configRequestFilter: (prefix) => `${prefix}config/request`,
  settingsForwardExceptions: true,
  readConfigAnswer(parsed) {
    const inner = v25.unwrap(parsed, 'GetConfigResponse');
    return readGetResponse(inner);
  },
};

function readModernError(value: unknown): ErrorObject | undefined {
  if (!isObject(value)) return undefined;
  const t = value.__everest__error_type;
  const msg = value.__everest__error_msg;
  if (typeof t === 'string' && (t in V22_ERROR_NAMES)) {
    return { type: t as CmdErrorType, msg: typeof msg === 'string' ? msg : JSON.stringify(msg) };
  }
  return undefined;
}

function readGetResponse(inner: unknown): { module_config: unknown; mappings: unknown } | undefined {
  if (!isObject(inner) || inner.status !== 'Ok' || !isObject(inner.response)) return undefined;
  const data = inner.response.data;
  if (!isObject(data)) return undefined;
  return { module_config: data.module_config, mappings: data.mappings };
}

function legacy(name: 'v22' | 'v19'): Dialect {
  const d: Dialect = {
    name,
    frameworkRange: name === 'v22' ? 'everest-framework v0.22-v0.24' : 'everest-framework v0.19-v0.21',
    wrap: (_kind, json) => json,
    unwrap: (parsed) => parsed,
    cmdServeTopics: (implPrefix) => [`${implPrefix}/cmd`],
    readCall(_implPrefix, _topic, inner) {
      if (!isObject(inner)) return undefined;
      // Call and result share the topic: our own results come back to us (everest-bus.md).
      if (inner.type === 'result') return 'ignore';
      if (inner.type !== 'call') return undefined;
      const data = isObject(inner.data) ? inner.data : {};
      return { cmd: typeof inner.name === 'string' ? inner.name : '', id: data.id, origin: data.origin, args: data.args };
    },
    cmdOfServeTopic: () => undefined,
    replyTopic: (implPrefix) => `${implPrefix}/cmd`,
    encodeResult(cmd, id, self, body) {
      // A result without name/type/data.id/data.origin makes the caller abort and the manager stop the stack.
      const data = 'error' in body
        ? `{"error":${JSON.stringify(d.errorObject(body.error.type, body.error.msg))},"id":${JSON.stringify(id)},"origin":${JSON.stringify(self)}}`
        : `{"id":${JSON.stringify(id)},"origin":${JSON.stringify(self)},"retval":${JSON.stringify(body.retval ?? null)}}`;
      return `{"data":${data},"name":${JSON.stringify(cmd)},"type":"result"}`;
    },
    callTopic: (implPrefix) => `${implPrefix}/cmd`,
    callReplyTopic: (implPrefix) => `${implPrefix}/cmd`,
    encodeCall: (cmd, id, args, self) =>
      `{"data":{"args":${JSON.stringify(args ?? {})},"id":${JSON.stringify(id)},"origin":${JSON.stringify(self)}},"name":${JSON.stringify(cmd)},"type":"call"}`,
    readResult(inner) {
      if (!isObject(inner) || inner.type !== 'result' || !isObject(inner.data)) return undefined;
      return { id: inner.data.id, retval: inner.data.retval, error: inner.data.error };
    },
    varTopic: (implPrefix) => `${implPrefix}/var`,
    encodeVar: (varName, valueJson) => `{"data":${valueJson},"name":${JSON.stringify(varName)}}`,
    readVar(varName, inner) {
      if (!isObject(inner) || inner.name !== varName || !('data' in inner)) return undefined;
      return { value: inner.data };
    },
    errorTopic: (implPrefix) => `${implPrefix}/error`,
    errorSubscription: (implPrefix) => `${implPrefix}/error`,
    // v0.22 and v0.23/v0.24 callers cannot be told apart before answering; an object with both key sets
    // was accepted by both (everest-bus.md, older dialect).
    errorObject: (type, msg) => ({
      __everest__error_msg: msg,
      __everest__error_type: type,
      event: V22_ERROR_NAMES[type],
      msg,
    }),
    readErrorObject(value) {
      const modern = readModernError(value);
      if (modern) return modern;
      if (!isObject(value) || typeof value.event !== 'string') return undefined;
      const type = FROM_V22_NAME[value.event];
      if (!type) return undefined;
      return { type, msg: typeof value.msg === 'string' ? value.msg : JSON.stringify(value.msg) };
    },
    readyPayload: () => 'true',
    readGlobalReady: (parsed) => parsed === true,
    readModuleReady: (parsed) => parsed === true,
    configRequest: name === 'v22'
      ? (prefix, moduleId) => ({
          topic: `${prefix}config/request`,
          responseTopic: `${prefix}modules/${moduleId}/response`,
          payload: JSON.stringify({ origin: moduleId, request: { type: 'Module' }, type: 'Get' }),
        })
      : (prefix, moduleId) => ({
          topic: `${prefix}modules/${moduleId}/get_config`,
          responseTopic: `${prefix}modules/${moduleId}/config`,
          payload: JSON.stringify({ type: 'full' }),
        }),
    configRequestFilter: name === 'v22' ? (prefix) => `${prefix}config/request` : (prefix) => `${prefix}modules/+/get_config`,
    // `forward_exceptions` appeared in v0.22: its absence is how a module tells a get_config manager.
    settingsForwardExceptions: name === 'v22',
    readConfigAnswer: name === 'v22'
      // A v25 answer (an envelope) is not v22's, even where its inner shape would fit.
      ? (parsed) => (isEnvelope(parsed) ? undefined : readGetResponse(parsed))
      : (parsed, moduleId) => {
          if (!isObject(parsed) || !isObject(parsed.module_config)) return undefined;
          return { module_config: parsed.module_config[moduleId], mappings: parsed.mappings };
        },
  };
  return d;
}

const DIALECTS: Record<DialectName, Dialect> = { v25, v22: legacy('v22'), v19: legacy('v19') };

export function dialectFor(name: DialectName): Dialect {
  return DIALECTS[name];
}

function isEnvelope(v: unknown): boolean {
  return isObject(v) && 'msg_type' in v;
}

/**
 * The dialects the retained start-up topics allow: `P interfaces` is a bare array up to v0.24 and a
 * msg_type envelope from v0.25 on; in the old dialect `P settings` has `forward_exceptions` from v0.22
 * on (old-dialect payloads are bare, so `settings` is read as it was retained). What cannot be told
 * apart stays a candidate, and the config answer decides.
 */
export function detectFromRetained(interfaces: unknown, settings: unknown): DialectName[] {
  if (Array.isArray(interfaces)) {
    if (typeof settings !== 'object' || settings === null) return ['v22', 'v19'];
    return 'forward_exceptions' in settings ? ['v22'] : ['v19'];
  }
  if (isEnvelope(interfaces)) return ['v25'];
  return [...DIALECT_NAMES];
}

/** One dialect per form a call takes on the wire, for a caller that must reach providers of any of `names` (v19 and v22 calls are the same). */
export function callDialects(names: readonly DialectName[]): DialectName[] {
  return [...new Set(names.map((n) => (n === 'v19' ? 'v22' : n)))];
}
