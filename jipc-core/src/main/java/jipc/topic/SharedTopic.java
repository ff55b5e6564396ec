package jipc.topic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jipc.live.LivenessToken;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;

/**
 * A {@link Topic} in a POSIX shared memory object of its own: the usual way to share a topic by name.
 *
 * <pre>{@code
 * // publisher process                                       // each subscriber process
 * try (SharedTopic t = SharedTopic.create("/ticks",          try (SharedTopic t = SharedTopic.attach("/ticks");
 *          1 << 20, 4096, OverflowPolicy.BLOCK);                  TopicSubscriber sub = t.topic().subscribe()) {
 *      TopicPublisher pub = t.topic().publisher()) {             sub.poll((type, msg) -> use(msg), 100,
 *     pub.put(1, payload, Duration.ofSeconds(1));                         Duration.ofSeconds(1));
 * }                                                          }
 * }</pre>
 *
 * <p>{@link #create} makes the object ({@code O_CREAT|O_EXCL}, mode 0600 unless given, all memory reserved with
 * {@code fallocate}), maps it and writes the header; {@link #attach} opens, maps and checks. The publisher and
 * subscribers taken from {@link #topic()} must be closed before this (their roles are given back then);
 * {@link #close()} unmaps and closes the descriptor; the name stays until {@link #unlink()}.
 */
public final class SharedTopic implements AutoCloseable {
    private final PosixSharedMemory shm;
    private final Mapping mapping;
    private final Topic topic;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SharedTopic(PosixSharedMemory shm, Mapping mapping, Topic topic) {
        this.shm = shm;
        this.mapping = mapping;
        this.topic = topic;
    }

    /**
     * {@link #create(String, long, int, OverflowPolicy, int)} with BLOCK and mode 0600.
     *
     * @param name the POSIX shared memory name, such as {@code "/quotes"} (one leading slash, no other)
     * @param capacity the ring's size in bytes: a power of two of at least 1024
     * @param maxMessageLength the largest payload in bytes, at most an eighth of the capacity less the record header
     * @return the open object with the topic mapped; close it to unmap
     * @throws IOException if a system call fails: {@link jipc.ErrnoException} with EEXIST if the name is taken
     */
    public static SharedTopic create(String name, long capacity, int maxMessageLength) throws IOException {
        return create(name, capacity, maxMessageLength, OverflowPolicy.BLOCK, PosixSharedMemory.DEFAULT_MODE);
    }

    /**
     * {@link #create(String, long, int, OverflowPolicy, int)} with mode 0600.
     *
     * @param name the POSIX shared memory name, such as {@code "/quotes"} (one leading slash, no other)
     * @param capacity the ring's size in bytes: a power of two of at least 1024
     * @param maxMessageLength the largest payload in bytes, at most an eighth of the capacity less the record header
     * @param policy what the publisher does on a full ring: wait ({@code BLOCK}) or overwrite the oldest
     *     ({@code OVERWRITE})
     * @return the open object with the topic mapped; close it to unmap
     * @throws IOException if a system call fails: {@link jipc.ErrnoException} with EEXIST if the name is taken
     */
    public static SharedTopic create(String name, long capacity, int maxMessageLength, OverflowPolicy policy)
            throws IOException {
        return create(name, capacity, maxMessageLength, policy, PosixSharedMemory.DEFAULT_MODE);
    }

    /**
     * Creates the object {@code name} for a ring of {@code capacity} bytes and writes a new topic into it. Costs
     * {@code shm_open}, {@code fchmod}, {@code fallocate}, {@code mmap}.
     *
     * @param mode the object's permission bits, exactly (every end needs read and write permission)
     * @param policy what the publisher does on a full ring: wait ({@code BLOCK}) or overwrite the oldest
     *     ({@code OVERWRITE})
     * @param maxMessageLength the largest payload in bytes, at most an eighth of the capacity less the record header
     * @param capacity the ring's size in bytes: a power of two of at least 1024
     * @param name the POSIX shared memory name, such as {@code "/quotes"} (one leading slash, no other)
     * @return the open object with the topic mapped; close it to unmap
     * @throws jipc.ErrnoException EEXIST if the name is taken
     * @throws IllegalArgumentException for a bad name, capacity, message length or mode (nothing is created then)
     */
    public static SharedTopic create(String name, long capacity, int maxMessageLength, OverflowPolicy policy,
                                     int mode) throws IOException {
        long size = TopicDescriptor.segmentSize(capacity);
        int limit = TopicDescriptor.maxMessageLengthLimit(capacity);
        if (maxMessageLength < 1 || maxMessageLength > limit) {
            throw new IllegalArgumentException("maxMessageLength=" + maxMessageLength + " not in [1, " + limit + "]");
        }
        java.util.Objects.requireNonNull(policy, "policy");
        PosixSharedMemory shm = PosixSharedMemory.create(name, size, mode);
        try {
            Mapping mapping = shm.map();
            Topic topic = Topic.create(mapping.segment(), capacity, maxMessageLength, policy, tokenSource(shm));
            bind(topic, shm);
            return new SharedTopic(shm, mapping, topic);
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
     * Opens and maps the existing object {@code name} and checks the topic in it; writes nothing.
     *
     * @param name the POSIX shared memory name of an existing topic
     * @return the open object with the topic mapped; close it to unmap
     * @throws jipc.ErrnoException  ENOENT if there is no such object, EACCES if its mode forbids it
     * @throws TopicFormatException if the object does not hold a topic of this version
     */
    public static SharedTopic attach(String name) throws IOException {
        PosixSharedMemory shm = PosixSharedMemory.open(name);
        try {
            long size = shm.size();
            if (size < TopicDescriptor.HEADER_LENGTH) {
                throw new TopicFormatException(name + ": object size=" + size + " < header="
                        + TopicDescriptor.HEADER_LENGTH);
            }
            Mapping mapping = shm.map();
            MemorySegment segment = mapping.segment();
            Topic topic;
            try {
                topic = Topic.attach(segment, tokenSource(shm));
            } catch (TopicFormatException e) {
                mapping.close();
                throw new TopicFormatException("shared memory " + name + ": " + e.getMessage());
            }
            bind(topic, shm);
            return new SharedTopic(shm, mapping, topic);
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    private static void bind(Topic topic, PosixSharedMemory shm) {
        topic.label = "topic " + shm.name();
        topic.objectSize = () -> {
            try {
                return shm.size();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /**
     * The liveness token for this object's parties: same permission bits and group as the object, so whoever may
     * open the topic may judge its publisher and subscribers. Made when an end is first taken.
     */
    private static Supplier<LivenessToken> tokenSource(PosixSharedMemory shm) {
        return () -> {
            try {
                return LivenessToken.forObject(shm.fd());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make this process's liveness token for " + shm.name() + ": "
                        + e.getMessage(), e);
            }
        };
    }

    /**
     * The topic; valid until {@link #close()}.
     *
     * @return the topic, the same instance on every call
     */
    public Topic topic() {
        return topic;
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
     * The mapping the topic lives in.
     *
     * @return the mapping of the whole object (header, slots and ring), valid until {@link #close()}
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
     * Removes the object {@code name} if it exists.
     *
     * @param name the POSIX shared memory name
     * @return {@code true} if it was removed, {@code false} if there was no such object
     * @throws IOException if {@code shm_unlink} fails for another reason than ENOENT
     */
    public static boolean unlinkIfExists(String name) throws IOException {
        return PosixSharedMemory.unlinkIfExists(name);
    }

    /** Unmaps and closes the descriptor. Idempotent. Close the publisher and subscribers first. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                mapping.close();
            } finally {
                shm.close();
            }
        }
    }

    @Override
    public String toString() {
        return "SharedTopic[" + shm.name() + (closed.get() ? ", closed]" : ", " + topic + "]");
    }
}
