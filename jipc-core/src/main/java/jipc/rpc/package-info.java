/**
 * Request/response over shared memory: one {@link jipc.rpc.RpcService} answers the requests of many
 * {@link jipc.rpc.RpcClient}s, each of which receives exactly its own responses (by correlation id), with a deadline,
 * and learns within one wait slice (100 ms) that the service died. Built out of the channel images of
 * {@code jipc.channel} (one many-to-one request channel, one one-to-one response channel per client slot) inside one
 * POSIX shared memory object ({@link jipc.rpc.SharedRpc}); the layout is {@link jipc.rpc.RpcDescriptor} and
 * {@code docs/rpc-format.md}, and {@code native/jipc_rpc.h} is the C twin of both ends.
 */
package jipc.rpc;
