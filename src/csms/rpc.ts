// ocpp-rpc, imported once. It is CommonJS and spreads its error classes into module.exports, which Node's
// ESM loader cannot see as named exports: take the default export and hand out typed names from here.
import ocppRpc from 'ocpp-rpc';
export type { IHandlersOption } from 'ocpp-rpc';

export const { RPCClient, RPCServer, RPCError, TimeoutError, UnexpectedHttpResponse, createValidator } = ocppRpc;

/** An OCPP-J CALLERROR to throw from a handler. ocpp-rpc builds an RPCError but types it as a plain record. */
export function createRPCError(type: string, message?: string, details?: object): InstanceType<typeof RPCError> {
  return ocppRpc.createRPCError(type, message, details) as InstanceType<typeof RPCError>;
}
export type RPCClient = InstanceType<typeof ocppRpc.RPCClient>;
export type RPCServer = InstanceType<typeof ocppRpc.RPCServer>;
