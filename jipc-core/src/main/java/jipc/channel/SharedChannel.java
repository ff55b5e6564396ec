package jipc.channel;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

import jipc.live.LivenessToken;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;

/**
 * A {@link OneToOneChannel} or a {@link ManyToOneChannel} in a POSIX shared memory object of its own, with the object's handle and mapping: the
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
 * checks the header ({@link #isManyToOne()} tells which kind it found). {@link #close()} unmaps and closes the
 * descriptor (any later use of the channel throws {@link IllegalStateException}), gives back the consumer role if this
 * side registered it and frees this side's producer slot of a many-producer channel; the object's name stays until
 * {@link #unlink()}.
 */
public final class SharedChannel implements AutoCloseable {
    private final PosixSharedMemory shm;
    private final Mapping mapping;
    private final RingChannel channel;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SharedChannel(PosixSharedMemory shm, Mapping mapping, RingChannel channel) {
        this.shm = shm;
        this.mapping = mapping;
        this.channel = channel;
    }

    /**
     * Creates the object {@code name} sized for a ring of {@code capacity} bytes and writes a new channel into it.
     * Costs {@code shm_open}, {@code fchmod}, {@code fallocate}, {@code mmap}.
     *
     * @param maxMessageLength the largest payload in bytes, from 1 to capacity / 8 - 8
     * @param capacity the ring's size in bytes: a power of two of at least 1024
     * @param name the POSIX shared memory name, such as {@code "/orders"} (one leading slash, no other)
     * @return the open object with the channel mapped; close it to unmap
     * @throws jipc.ErrnoException EEXIST if the name is taken
     * @throws IllegalArgumentException for a bad name, capacity or message length (nothing is created then)
     */
    public static SharedChannel create(String name, long capacity, int maxMessageLength) throws IOException {
        return create(name, capacity, maxMessageLength, false, PosixSharedMemory.DEFAULT_MODE);
    }

    /**
     * {@link #create(String, long, int)} with the object's permission bits set to exactly {@code mode} (e.g.
     * {@code 0660} for a group whose members produce and consume); both ends need read and write permission.
     *
     * @param mode the object's permission bits, exactly (the umask does not apply)
     * @param maxMessageLength the largest payload in bytes, from 1 to capacity / 8 - 8
     * @param capacity the ring's size in bytes: a power of two of at least 1024
     * @param name the POSIX shared memory name, such as {@code "/orders"} (one leading slash, no other)
     * @return the open object with the channel mapped; close it to unmap
     * @throws IllegalArgumentException also for a mode outside {@code 0..0777}
     * @throws IOException if a system call fails: {@link jipc.ErrnoException} with EEXIST if the name is taken
     */
    public static SharedChannel create(String name, long capacity, int maxMessageLength, int mode)
            throws IOException {
        return create(name, capacity, maxMessageLength, false, mode);
    }

    /**
     * {@link #create} for a {@link ManyToOneChannel}: any number of processes (up to
     * {@value ChannelDescriptor#MAX_PRODUCER_SLOTS} producers at a time) may {@link #attach} and produce.
     *
     * @param name the POSIX shared memory name, such as {@code "/orders"} (one leading slash, no other)
     * @param capacity the ring's size in bytes: a power of two of at least 1024
     * @param maxMessageLength the largest payload in bytes, from 1 to capacity / 8 - 8
     * @return the open object with the many-producer channel mapped; close it to unmap
     * @throws IOException if a system call fails: {@link jipc.ErrnoException} with EEXIST if the name is taken
     */
    public static SharedChannel createManyToOne(String name, long capacity, int maxMessageLength)
            throws IOException {
        return create(name, capacity, maxMessageLength, true, PosixSharedMemory.DEFAULT_MODE);
    }

    /**
     * {@link #createManyToOne(String, long, int)} with exactly {@code mode}; see {@link #create(String, long, int,
     * int)}.
     *
     * @param name the POSIX shared memory name, such as {@code "/orders"} (one leading slash, no other)
     * @param capacity the ring's size in bytes: a power of two of at least 1024
     * @param maxMessageLength the largest payload in bytes, from 1 to capacity / 8 - 8
     * @param mode the object's permission bits, exactly (the umask does not apply)
     * @return the open object with the many-producer channel mapped; close it to unmap
     * @throws IOException if a system call fails: {@link jipc.ErrnoException} with EEXIST if the name is taken
     */
    public static SharedChannel createManyToOne(String name, long capacity, int maxMessageLength, int mode)
            throws IOException {
        return create(name, capacity, maxMessageLength, true, mode);
    }

    private static SharedChannel create(String name, long capacity, int maxMessageLength, boolean many, int mode)
            throws IOException {
        long size = ChannelDescriptor.segmentSize(capacity);
        int limit = ChannelDescriptor.defaultMaxMessageLength(capacity);
        if (maxMessageLength < 1 || maxMessageLength > limit) {
            throw new IllegalArgumentException("maxMessageLength=" + maxMessageLength + " not in [1, " + limit + "]");
        }
        PosixSharedMemory shm = PosixSharedMemory.create(name, size, mode);
        try {
            Mapping mapping = shm.map();
            MemorySegment segment = mapping.segment();
            LivenessToken token = LivenessToken.forObject(shm.fd());
            RingChannel channel = many
                    ? ManyToOneChannel.create(segment, capacity, maxMessageLength, token)
                    : OneToOneChannel.create(segment, capacity, maxMessageLength, token);
            channel.label = "channel " + name;
            channel.objectSize = () -> sizeOf(shm);
            return new SharedChannel(shm, mapping, channel);
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
     * @param name the POSIX shared memory name of an existing channel
     * @return the open object with the channel mapped, of the kind its header says; close it to unmap
     * @throws jipc.ErrnoException     ENOENT if there is no such object, EACCES if its mode forbids it
     * @throws ChannelFormatException if the object does not hold a channel (or a channel of another version), or
     *                                is smaller than a channel's header (even empty)
     */
    public static SharedChannel attach(String name) throws IOException {
        PosixSharedMemory shm = PosixSharedMemory.open(name);
        try {
            long size = shm.size();
            if (size < ChannelDescriptor.HEADER_LENGTH) {
                // before mmap, which refuses an empty object with EINVAL: say what is wrong with it instead
                throw new ChannelFormatException(name + ": object size=" + size + " < header="
                        + ChannelDescriptor.HEADER_LENGTH);
            }
            Mapping mapping = shm.map();
            MemorySegment segment = mapping.segment();
            try {
                RingChannel.checkHeader(segment);
            } catch (ChannelFormatException e) {
                throw new ChannelFormatException("shared memory " + name + ": " + e.getMessage());
            }
            RingChannel channel = RingChannel.isManyProducers(segment)
                    ? ManyToOneChannel.attach(segment) : OneToOneChannel.attach(segment);
            channel.useToken(() -> {
                try {
                    return LivenessToken.forObject(shm.fd());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot make this process's liveness token for " + name
                            + ": " + e.getMessage(), e);
                }
            });
            channel.label = "channel " + name;
            channel.objectSize = () -> sizeOf(shm);
            return new SharedChannel(shm, mapping, channel);
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    private static long sizeOf(PosixSharedMemory shm) {
        try {
            return shm.size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The one-producer channel; valid until {@link #close()}.
     *
     * @return the channel, the same instance on every call
     * @throws IllegalStateException if the object holds a many-producer channel ({@link #manyToOne()})
     */
    public OneToOneChannel channel() {
        if (channel instanceof OneToOneChannel oneToOne) {
            return oneToOne;
        }
        throw new IllegalStateException(shm.name() + " holds a many-producer channel: use manyToOne()");
    }

    /**
     * The many-producer channel; valid until {@link #close()}.
     *
     * @return the channel, the same instance on every call
     * @throws IllegalStateException if the object holds a one-producer channel ({@link #channel()})
     */
    public ManyToOneChannel manyToOne() {
        if (channel instanceof ManyToOneChannel manyToOne) {
            return manyToOne;
        }
        throw new IllegalStateException(shm.name() + " holds a one-producer channel: use channel()");
    }

    /**
     * The channel, whichever its kind, for code that works with both ({@link #channel()} and {@link #manyToOne()}
     * give the kind's own type); valid until {@link #close()}.
     *
     * @return the channel as its common interface, the same instance on every call
     */
    public MessageChannel messageChannel() {
        return (MessageChannel) channel;
    }

    /**
     * Whether the object holds a {@link ManyToOneChannel} (flag bit 0 of the header).
     *
     * @return {@code true} for a many-producer channel, {@code false} for a one-producer one
     */
    public boolean isManyToOne() {
        return channel instanceof ManyToOneChannel;
    }

    /**
     * The shared memory object's name.
     *
     * @return the name given to {@code create} or {@code attach}, with its leading {@code "/"}
     */
    public String name() {
        return shm.name();
    }

    /**
     * The mapping the channel lives in.
     *
     * @return the mapping of the whole object (header and ring), valid until {@link #close()}
     */
    public Mapping mapping() {
        return mapping;
    }

    /**
     * Removes the object's name ({@code shm_unlink}); processes that have it mapped go on using it.
     *
     * @throws IOException if {@code shm_unlink} fails ({@link jipc.ErrnoException}, e.g. ENOENT if already removed)
     */
    public void unlink() throws IOException {
        shm.unlink();
    }

    /**
     * Removes the object {@code name} if it exists; see {@link PosixSharedMemory#unlinkIfExists(String)}.
     *
     * @param name the POSIX shared memory name
     * @return {@code true} if it was removed, {@code false} if there was no such object
     * @throws IOException if {@code shm_unlink} fails for another reason than ENOENT
     */
    public static boolean unlinkIfExists(String name) throws IOException {
        return PosixSharedMemory.unlinkIfExists(name);
    }

    /**
     * Gives back the roles this side holds (the consumer role, the producer role or slot; an open claim is aborted),
     * unmaps and closes the descriptor. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.unregisterConsumer();
                if (channel instanceof ManyToOneChannel manyToOne) {
                    manyToOne.detachProducer();
                } else if (channel instanceof OneToOneChannel oneToOne) {
                    oneToOne.detachProducer();
                }
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                // the object was truncated under us: its words cannot be touched; the roles die with this process
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
