// ocpp-rpc, imported once. It is CommonJS and spreads its error classes into module.exports, which Node's
// ESM loader cannot see as named exports: take the default export and hand out typed names from here.
import ocppRpc from 'ocpp-rpc';
export type { IHandlersOption } from 'ocpp-rpc';

export const { RPCClient, RPCServer, RPCError, TimeoutError, UnexpectedHttpResponse, createRPCError, createValidator } = ocppRpc;
export type RPCClient = InstanceType<typeof ocppRpc.RPCClient>;
export type RPCServer = InstanceType<typeof ocppRpc.RPCServer>;
