// EVerest's authorization side as the OCPP side uses it, the one place that joins it to the bus:
// - AuthControl for the CSMS link (src/csms/auth-control.ts): a RequestStartTransaction's token published on
//   auth_provider's provided_token in the shape of the auth_token_provider definition in force, as everest-core's
//   OCPP201 remote_start_transaction_callback fills it (authorization_type OCPP, prevalidated, request_id =
//   remoteStartId, parent_id_token from groupIdToken where the type has it, connectors = [evseId]); and the `auth`
//   requirement's withdraw_authorization where its interface has it (everest-core 2024.x on);
// - the `auth` requirement's settings, as OCPP201 init_module_configuration and variable_changed_callback:
//   set_connection_timeout with TxCtrlr.EVConnectionTimeOut and set_master_pass_group_id with
//   AuthCtrlr.MasterPassGroupId (only where the auth interface in force declares it), at ready and whenever the
//   Actual value changes (set_variables from the bus or the CSMS). Without an auth connection nothing is called.
import type { EverestModule } from '../everest/module.js';
import type { Logger } from '../log.js';
import type { AuthControl, RemoteStartToken, WithdrawResult } from '../csms/auth-control.js';
import type { ComponentVariable } from '../generated/types/ocpp.js';
import type * as a2312 from '../generated/types/authorization.js';
import type * as a2602 from '../generated/releases/2026.02.0/types/authorization.js';
import type { IdToken } from '../ocpp/auth/ocpp-types.js';
import type { OcppService } from '../ocpp/service.js';
import type { BusProvidedIdToken } from './auth-token.js';
import type { TsOcppSpec } from './ocpp-module.js';

const AUTH = 'auth';
const EV_CONNECTION_TIMEOUT: ComponentVariable = { component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' } };
const MASTER_PASS_GROUP_ID: ComponentVariable = { component: { name: 'AuthCtrlr' }, variable: { name: 'MasterPassGroupId' } };

const busToken = (t: IdToken): a2602.IdToken => ({ value: t.idToken, type: t.type });

/** 2026.02 (and 2024.x): id_token {value, type}, parent_id_token. */
function token2602(t: RemoteStartToken): a2602.ProvidedIdToken {
  const p: a2602.ProvidedIdToken = {
    id_token: busToken(t.idToken), authorization_type: 'OCPP', prevalidated: t.prevalidated, request_id: t.remoteStartId, connectors: [t.evseId],
  };
  if (t.groupIdToken) p.parent_id_token = busToken(t.groupIdToken);
  return p;
}

/** 2023.12: id_token a string beside id_token_type; no parent (OCPP201 of 2023.12 passes none). */
function token2312(t: RemoteStartToken): a2312.ProvidedIdToken {
  return {
    id_token: t.idToken.idToken, id_token_type: t.idToken.type, authorization_type: 'OCPP', prevalidated: t.prevalidated,
    request_id: t.remoteStartId, connectors: [t.evseId],
  };
}

function has(mod: EverestModule<TsOcppSpec>, cmd: string): boolean {
  const cmds = mod.requirementInterface(AUTH)?.cmds;
  return cmds !== undefined && cmd in cmds;
}

export function authControl(mod: EverestModule<TsOcppSpec>): AuthControl {
  return {
    provideToken: (t) => {
      // The definition in force decides the shape: a 2026.02 token that its check refuses is 2023.12's.
      const check = mod.compiled('auth_provider')?.vars.get('provided_token');
      const modern = token2602(t);
      const value: BusProvidedIdToken = check === undefined || check(modern) === null ? modern : token2312(t);
      return mod.publish('auth_provider', 'provided_token', value);
    },
    canWithdraw: () => mod.connections(AUTH).length > 0 && has(mod, 'withdraw_authorization'),
    withdrawAuthorization: async (evseId, idToken) => {
      const request: a2602.WithdrawAuthorizationRequest = { evse_id: evseId, id_token: busToken(idToken) };
      return (await mod.call(AUTH, 0, 'withdraw_authorization', { request })) as WithdrawResult;
    },
  };
}

const sameCv = (a: ComponentVariable, b: ComponentVariable): boolean =>
  a.component.name === b.component.name && a.variable.name === b.variable.name
  && a.component.instance === undefined && a.variable.instance === undefined && a.component.evse === undefined;

/** Passes TxCtrlr.EVConnectionTimeOut and AuthCtrlr.MasterPassGroupId on to the `auth` module (OCPP201's order). */
export function bindAuthSettings(mod: EverestModule<TsOcppSpec>, service: OcppService, log: Logger): void {
  if (mod.connections(AUTH).length === 0) return;
  const call = (cmd: string, args: Record<string, unknown>): void => {
    mod.call(AUTH, 0, cmd, args).catch((err: unknown) => log.error({ err, cmd }, 'auth call failed'));
  };
  const connectionTimeout = (): void => {
    const raw = service.readInternal(EV_CONNECTION_TIMEOUT);
    const n = raw === undefined ? NaN : Number(raw);
    if (!Number.isInteger(n)) {
      log.warn({ value: raw }, 'TxCtrlr.EVConnectionTimeOut is not an integer: not passed to auth');
      return;
    }
    call('set_connection_timeout', { connection_timeout: n });
  };
  const masterPass = (): void => {
    if (!has(mod, 'set_master_pass_group_id')) return;
    const v = service.readInternal(MASTER_PASS_GROUP_ID);
    if (v !== undefined) call('set_master_pass_group_id', { master_pass_group_id: v });
  };
  mod.onReady(() => {
    connectionTimeout();
    masterPass();
  });
  service.on('variable_changed', (cv) => {
    if (sameCv(cv, EV_CONNECTION_TIMEOUT)) connectionTimeout();
    else if (sameCv(cv, MASTER_PASS_GROUP_ID)) masterPass();
  });
}
