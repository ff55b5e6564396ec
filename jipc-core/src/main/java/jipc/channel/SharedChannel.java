package jipc.channel;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;

/**
 * A {@link OneToOneChannel} in a POSIX shared memory object of its own, with the object's handle and mapping: the
 * usual way for two processes to share a channel by name.
 *
 * <pre>{@code
 * // process A                                              // process B
 * try (SharedChannel ch = SharedChannel.create("/orders",   try (SharedChannel ch = SharedChannel.attach("/orders")) {
 *         1 << 20, 4096)) {                                     ch.channel().registerConsumer();
 *     ch.channel().put(1, payload, Duration.ofSeconds(1));      ch.channel().poll(handler, Duration.ofSeconds(1));
 * }                                                         }
 * }</pre>
 *
 * <p>{@link #create} makes the object ({@code O_CREAT|O_EXCL}, mode 0600, all memory reserved with
 * {@code fallocate}), maps it and writes the channel header; {@link #attach} opens and maps an existing one and only
 * checks the header. {@link #close()} unmaps and closes the descriptor (any later use of the channel throws
 * {@link IllegalStateException}) and clears the consumer identity if this side registered it; the object's name stays
 * until {@link #unlink()}.
 */
public final class SharedChannel implements AutoCloseable {
    private final PosixSharedMemory shm;
    private final Mapping mapping;
    private final OneToOneChannel channel;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SharedChannel(PosixSharedMemory shm, Mapping mapping, OneToOneChannel channel) {
        this.shm = shm;
        this.mapping = mapping;
        this.channel = channel;
    }

    /**
     * Creates the object {@code name} sized for a ring of {@code capacity} bytes and writes a new channel into it.
     * Costs {@code shm_open}, {@code fchmod}, {@code fallocate}, {@code mmap}.
     *
     * @throws jipc.ErrnoException EEXIST if the name is taken
     * @throws IllegalArgumentException for a bad name, capacity or message length (nothing is created then)
     */
    public static SharedChannel create(String name, long capacity, int maxMessageLength) throws IOException {
        long size = ChannelDescriptor.segmentSize(capacity);
        int limit = ChannelDescriptor.defaultMaxMessageLength(capacity);
        if (maxMessageLength < 1 || maxMessageLength > limit) {
            throw new IllegalArgumentException("maxMessageLength=" + maxMessageLength + " not in [1, " + limit + "]");
        }
        PosixSharedMemory shm = PosixSharedMemory.create(name, size);
        try {
            Mapping mapping = shm.map();
            return new SharedChannel(shm, mapping, OneToOneChannel.create(mapping.segment(), capacity,
                    maxMessageLength));
        } catch (IOException | RuntimeException e) {
            try {
                shm.unlink();
            } finally {
                shm.close();
            }
            throw e;
        }
    }

    /**
     * Opens and maps the existing object {@code name} and attaches to the channel in it, writing nothing.
     *
     * @throws jipc.ErrnoException     ENOENT if there is no such object, EACCES if its mode forbids it
     * @throws ChannelFormatException if the object does not hold a channel (or a channel of another version)
     */
    public static SharedChannel attach(String name) throws IOException {
        PosixSharedMemory shm = PosixSharedMemory.open(name);
        try {
            Mapping mapping = shm.map();
            return new SharedChannel(shm, mapping, OneToOneChannel.attach(mapping.segment()));
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /** The channel; valid until {@link #close()}. */
    public OneToOneChannel channel() {
        return channel;
    }

    /** The shared memory object's name. */
    public String name() {
        return shm.name();
    }

    /** The mapping the channel lives in. */
    public Mapping mapping() {
        return mapping;
    }

    /** Removes the object's name ({@code shm_unlink}); processes that have it mapped go on using it. */
    public void unlink() throws IOException {
        shm.unlink();
    }

    /** Removes the object {@code name} if it exists; see {@link PosixSharedMemory#unlinkIfExists(String)}. */
    public static boolean unlinkIfExists(String name) throws IOException {
        return PosixSharedMemory.unlinkIfExists(name);
    }

    /** Clears this side's consumer identity (if it registered), unmaps and closes the descriptor. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.unregisterConsumer();
            } finally {
                mapping.close();
                shm.close();
            }
        }
    }

    @Override
    public String toString() {
        return "SharedChannel[" + shm.name() + (closed.get() ? ", closed]" : ", " + channel + "]");
    }
}
