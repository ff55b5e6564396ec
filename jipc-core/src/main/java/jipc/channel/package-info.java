/**
 * Messages between processes through a ring in shared memory: {@link jipc.channel.OneToOneChannel} (one producer,
 * one consumer; copy and zero-copy sends, batch reads without copying), {@link jipc.channel.ManyToOneChannel} (the
 * same for many producers, with claims of dead producers skipped once their liveness token is released),
 * {@link jipc.channel.WaitStrategy} (spin, yield, park, futex, hybrid) for their blocking calls, and
 * {@link jipc.channel.SharedChannel}, either channel in a POSIX shared memory object of its own. Idle ends sleep in a
 * shared futex and are woken only when they sleep; a producer killed mid-message leaves only whole messages; liveness
 * is a lock the kernel holds for each process ({@code jipc.live}), never a timer or a pid; each end is an exclusive
 * role that a second taker cannot get while the first lives. The bytes are specified in
 * {@link jipc.channel.ChannelDescriptor},
 * {@link jipc.channel.RecordDescriptor} and {@code docs/channel-format.md}; {@code native/jipc_channel.c} is a C
 * implementation of both ends of both kinds.
 */
package jipc.channel;
