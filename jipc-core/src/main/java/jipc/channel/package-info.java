/**
 * Messages between processes through a ring in shared memory: {@link jipc.channel.OneToOneChannel} (one producer,
 * one consumer; copy and zero-copy sends, batch reads without copying), {@link jipc.channel.WaitStrategy} (spin,
 * yield, park, futex, hybrid) for its blocking calls, and {@link jipc.channel.SharedChannel}, a channel in a POSIX
 * shared memory object of its own. Idle ends sleep in a shared futex and are woken only when they sleep; a producer
 * killed mid-message leaves only whole messages; the consumer's liveness is its process identity, never a timer.
 * The bytes are specified in {@link jipc.channel.ChannelDescriptor}, {@link jipc.channel.RecordDescriptor} and
 * {@code docs/channel-format.md}; {@code native/jipc_channel.c} is a C implementation of both ends.
 */
package jipc.channel;
