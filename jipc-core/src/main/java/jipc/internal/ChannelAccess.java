package jipc.internal;

import java.lang.foreign.MemorySegment;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import jipc.channel.ManyToOneChannel;
import jipc.channel.MessageChannel;
import jipc.channel.OneToOneChannel;
import jipc.live.LivenessToken;

/**
 * The package-private hooks of {@code jipc.channel} that a structure built <em>out of</em> channel images needs
 * ({@code jipc.rpc} keeps a many-to-one and several one-to-one channels inside one shared memory object), without
 * making them public API: the JDK's "shared secrets" shape ({@code jdk.internal.access.SharedSecrets}). This package
 * is not exported, so only code of the {@code jipc.core} module can call it; {@code jipc.channel} registers the one
 * implementation in a static initializer ({@code RingChannel}), and {@link #get()} makes sure that has run.
 *
 * <p>It is the one place where {@code jipc.internal} names types of a higher layer, as {@code jdk.internal.access}
 * names {@code java.io} types: the interface is the seam, not a dependency of the bindings.
 */
public interface ChannelAccess {
    /** {@code ManyToOneChannel.create} with the liveness token whose parties the channel's roles use. */
    ManyToOneChannel createManyToOne(MemorySegment segment, long capacity, int maxMessageLength, LivenessToken token);

    /** {@code OneToOneChannel.create} with the liveness token whose parties the channel's roles use. */
    OneToOneChannel createOneToOne(MemorySegment segment, long capacity, int maxMessageLength, LivenessToken token);

    /**
     * Makes {@code channel}, an image inside a bigger shared object, name itself {@code label} in messages, take its
     * parties from {@code tokens} (called on the first role taken), and check before its rare compare-and-sets on the
     * header that the object still holds at least {@code available.getAsLong() >= segment size} bytes from the
     * channel's first byte on (the object's size minus the channel's offset): a truncated object must throw, not
     * crash the JVM. Call it before the channel is used.
     */
    void embed(MessageChannel channel, String label, LongSupplier available, Supplier<LivenessToken> tokens);

    /** The implementation {@code jipc.channel} registered (initialising that package's ring class if needed). */
    static ChannelAccess get() {
        ChannelAccess access = Holder.access;
        if (access == null) {
            try {
                Class.forName("jipc.channel.RingChannel", true, ChannelAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("jipc.channel is missing from the module", e);
            }
            access = Holder.access;
            if (access == null) {
                throw new IllegalStateException("jipc.channel registered no ChannelAccess");
            }
        }
        return access;
    }

    /** Called once, by {@code jipc.channel}'s static initializer. */
    static void register(ChannelAccess access) {
        synchronized (Holder.class) {
            if (Holder.access != null) {
                throw new IllegalStateException("ChannelAccess is registered already");
            }
            Holder.access = access;
        }
    }

    /** Where the registered implementation lives (an interface cannot have a mutable field of its own). */
    final class Holder {
        private Holder() {
        }

        private static volatile ChannelAccess access;
    }
}
