// What the CSMS link may ask of EVerest's authorization side, handed in by the bus side
// (src/module/auth-control.ts: the `auth_provider` var and the `auth` requirement's cmds): the link knows no MQTT.
// - provideToken: a RequestStartTransaction's token on auth_provider's provided_token (F01/F02), as
//   everest-core's OCPP201 remote_start_transaction_callback publishes it;
// - withdrawAuthorization: the `auth` requirement's withdraw_authorization (everest-core 2024.x on; absent in
//   2023.12), for a token the CSMS no longer accepts (src/csms/station/invalid-id.ts).
import type { IdToken } from '../ocpp/auth/ocpp-types.js';

/** The token of an accepted RequestStartTransaction. */
export interface RemoteStartToken {
  idToken: IdToken;
  groupIdToken?: IdToken;
  remoteStartId: number;
  /** The only EVSE the token may start on (OCPP201 fills `connectors` with it). */
  evseId: number;
  /** !AuthCtrlr.AuthorizeRemoteStart: the Auth module takes it as valid without asking validate_token. */
  prevalidated: boolean;
}

/** types/authorization.yaml WithdrawAuthorizationResult (2024.x on). */
export type WithdrawResult = 'Accepted' | 'AuthorizationNotFound' | 'EvseNotFound' | 'Rejected';

export interface AuthControl {
  /** Publishes the token; rejects when the publish fails. */
  provideToken(t: RemoteStartToken): Promise<void>;
  /** An `auth` module is connected and its interface declares withdraw_authorization. */
  canWithdraw(): boolean;
  /** auth withdraw_authorization for this EVSE and token; rejects when the call fails. */
  withdrawAuthorization(evseId: number, idToken: IdToken): Promise<WithdrawResult>;
}
