package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import jipc.internal.ChannelAccess;
import jipc.live.LivenessToken;

/**
 * The implementation of {@link ChannelAccess} that {@link RingChannel}'s static initializer registers: the few
 * package-private hooks that structures made of channel images ({@code jipc.rpc}) need, reachable only from inside
 * the module because {@code jipc.internal} is not exported.
 */
final class EmbeddedChannels implements ChannelAccess {
    @Override
    public ManyToOneChannel createManyToOne(MemorySegment segment, long capacity, int maxMessageLength,
                                            LivenessToken token) {
        return ManyToOneChannel.create(segment, capacity, maxMessageLength, Objects.requireNonNull(token, "token"));
    }

    @Override
    public OneToOneChannel createOneToOne(MemorySegment segment, long capacity, int maxMessageLength,
                                          LivenessToken token) {
        return OneToOneChannel.create(segment, capacity, maxMessageLength, Objects.requireNonNull(token, "token"));
    }

    @Override
    public void embed(MessageChannel channel, String label, LongSupplier available, Supplier<LivenessToken> tokens) {
        RingChannel ring = (RingChannel) channel;
        ring.label = Objects.requireNonNull(label, "label");
        ring.objectSize = Objects.requireNonNull(available, "available");
        ring.useToken(Objects.requireNonNull(tokens, "tokens"));
    }
}
