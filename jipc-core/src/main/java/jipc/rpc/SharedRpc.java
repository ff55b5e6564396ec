package jipc.rpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jipc.channel.ChannelDescriptor;
import jipc.channel.ChannelFormatException;
import jipc.channel.ManyToOneChannel;
import jipc.channel.OneToOneChannel;
import jipc.internal.ChannelAccess;
import jipc.live.Liveness;
import jipc.live.LivenessToken;
import jipc.live.PartyState;
import jipc.live.Role;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;

import static jipc.rpc.RpcDescriptor.*;

/**
 * A request/response object in POSIX shared memory: one service answers the requests of up to
 * {@value RpcDescriptor#MAX_CLIENT_SLOTS} clients at a time, each of which gets exactly its own responses. The usual
 * way for processes to share one by name; the layout is {@link RpcDescriptor} ({@code docs/rpc-format.md}).
 *
 * <pre>{@code
 * // the service's process                                  // a client's process
 * try (SharedRpc rpc = SharedRpc.create("/calc", 8,          try (SharedRpc rpc = SharedRpc.attach("/calc");
 *         1 << 20, 64 << 10);                                     RpcClient client = rpc.client()) {
 *      RpcService service = rpc.service()) {                    String answer = client.call(1, request,
 *     service.serve((type, request, responder) ->                   Duration.ofSeconds(1), (type, response) ->
 *         responder.respond(1, compute(request)));                      response.getString(0));
 * }                                                          }
 * }</pre>
 *
 * <p>It is built out of channel images ({@code jipc.channel}): requests travel through one many-to-one channel,
 * responses through one one-to-one channel per client slot, so their crash safety, wake protocol and liveness rules
 * hold here unchanged. {@link #create} makes the object ({@code O_CREAT|O_EXCL}, mode 0600 unless given, all memory
 * reserved) and writes every header; {@link #attach} opens and maps an existing one and checks every header field and
 * offset before anything is used, writing nothing. {@link #client()} takes a client slot, {@link #service()} the
 * service role. {@link #close()} closes the clients and the service made from this instance (giving their roles back),
 * unmaps and closes the descriptor; the name stays until {@link #unlink()}.
 *
 * <p>Costs: create and attach cost {@code shm_open}, {@code fstat}, {@code mmap} (create also {@code fchmod} and
 * {@code fallocate}); nothing on the per-call path is a system call except the futex wake-ups of the channels. This
 * class is thread-safe; the clients it makes are not (one per thread).
 */
public final class SharedRpc implements AutoCloseable {
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private final PosixSharedMemory shm;
    private final Mapping mapping;
    private final MemorySegment segment;
    private final String label;
    private final int clientSlots;
    private final long requestCapacity;
    private final long responseOffset;
    private final long responseStride;
    private final long responseCapacity;
    private final long totalSize;
    private final Supplier<LivenessToken> tokens;
    private final List<AutoCloseable> ends = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SharedRpc(PosixSharedMemory shm, Mapping mapping, long[] geometry) {
        this.shm = shm;
        this.mapping = mapping;
        this.segment = mapping.segment();
        this.label = "rpc " + shm.name();
        this.clientSlots = (int) geometry[0];
        this.requestCapacity = geometry[1];
        this.responseOffset = geometry[2];
        this.responseStride = geometry[3];
        this.responseCapacity = geometry[4];
        this.totalSize = geometry[5];
        LivenessToken[] made = new LivenessToken[1];
        this.tokens = () -> {
            synchronized (made) {
                if (made[0] == null) {
                    try {
                        made[0] = LivenessToken.forObject(shm.fd());
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot make this process's liveness token for " + label
                                + ": " + e.getMessage(), e);
                    }
                }
                return made[0];
            }
        };
    }

    // ---- creating, attaching ---------------------------------------------------------------------------------------

    /**
     * Creates the object {@code name} (mode 0600) with {@code clients} client slots, a request ring of
     * {@code requestCapacity} bytes and one response ring of {@code responseCapacity} bytes per slot, and writes every
     * header. The largest request is {@code requestCapacity / 8 - 8 - 16} bytes, the largest response
     * {@code responseCapacity / 8 - 8 - 16} (each payload carries a 16-byte prefix). Costs {@code shm_open},
     * {@code fchmod}, {@code fallocate}, {@code mmap}: the object is {@link RpcDescriptor#totalSize} bytes.
     *
     * @param clients          1 .. {@value RpcDescriptor#MAX_CLIENT_SLOTS}
     * @param requestCapacity  a power of two, 1024 .. 2^40
     * @param responseCapacity a power of two, 1024 .. 2^40
     * @param name the POSIX shared memory name, such as {@code "/prices"} (one leading slash, no other)
     * @return the open object, every header written; close it to unmap
     * @throws jipc.ErrnoException EEXIST if the name is taken
     * @throws IllegalArgumentException for a bad name, slot count or capacity (nothing is created then)
     */
    public static SharedRpc create(String name, int clients, long requestCapacity, long responseCapacity)
            throws IOException {
        return create(name, clients, requestCapacity, responseCapacity, PosixSharedMemory.DEFAULT_MODE);
    }

    /**
     * {@link #create(String, int, long, long)} with the object's permission bits set to exactly {@code mode}
     * (e.g. {@code 0660} for a group whose members are clients); every end needs read and write permission.
     *
     * @param name the POSIX shared memory name, such as {@code "/prices"} (one leading slash, no other)
     * @param clients the number of client slots, from 1 to {@link RpcDescriptor#MAX_CLIENT_SLOTS}
     * @param requestCapacity the request ring's size in bytes: a power of two of at least 1024
     * @param responseCapacity each response ring's size in bytes: a power of two of at least 1024
     * @param mode the object's permission bits, exactly (the umask does not apply)
     * @return the open object, every header written; close it to unmap
     * @throws IOException if a system call fails: {@link jipc.ErrnoException} with EEXIST if the name is taken
     */
    public static SharedRpc create(String name, int clients, long requestCapacity, long responseCapacity, int mode)
            throws IOException {
        if (clients < 1 || clients > MAX_CLIENT_SLOTS) {
            throw new IllegalArgumentException("clients=" + clients + " not in [1, " + MAX_CLIENT_SLOTS + "]");
        }
        checkCapacity("requestCapacity", requestCapacity);
        checkCapacity("responseCapacity", responseCapacity);
        long size = totalSize(clients, requestCapacity, responseCapacity);
        PosixSharedMemory shm = PosixSharedMemory.create(name, size, mode);
        try {
            Mapping mapping = shm.map();
            MemorySegment segment = mapping.segment();
            LivenessToken token = LivenessToken.forObject(shm.fd());
            ChannelAccess access = ChannelAccess.get();
            access.createManyToOne(segment.asSlice(REQUEST_OFFSET, ChannelDescriptor.segmentSize(requestCapacity)),
                    requestCapacity, ChannelDescriptor.defaultMaxMessageLength(requestCapacity), token);
            long stride = responseStride(responseCapacity);
            long first = responseOffset(requestCapacity);
            for (int i = 0; i < clients; i++) {
                access.createOneToOne(segment.asSlice(first + i * stride, ChannelDescriptor.segmentSize(
                        responseCapacity)), responseCapacity, ChannelDescriptor.defaultMaxMessageLength(
                        responseCapacity), token);
            }
            segment.set(ValueLayout.JAVA_INT, VERSION_OFFSET, LAYOUT_VERSION);
            segment.set(ValueLayout.JAVA_INT, CLIENT_SLOTS_OFFSET, clients);
            segment.set(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET, HEADER_LENGTH);
            segment.set(ValueLayout.JAVA_INT, FLAGS_OFFSET, 0);
            segment.set(ValueLayout.JAVA_LONG, REQUEST_OFFSET_OFFSET, REQUEST_OFFSET);
            segment.set(ValueLayout.JAVA_LONG, REQUEST_CAPACITY_OFFSET, requestCapacity);
            segment.set(ValueLayout.JAVA_LONG, RESPONSE_OFFSET_OFFSET, first);
            segment.set(ValueLayout.JAVA_LONG, RESPONSE_STRIDE_OFFSET, stride);
            segment.set(ValueLayout.JAVA_LONG, RESPONSE_CAPACITY_OFFSET, responseCapacity);
            segment.set(ValueLayout.JAVA_LONG, TOTAL_SIZE_OFFSET, size);
            segment.set(ValueLayout.JAVA_LONG, CREATOR_PARTY_OFFSET, token.processParty());
            segment.set(ValueLayout.JAVA_INT, CREATOR_PID_OFFSET, Liveness.selfPid());
            segment.set(ValueLayout.JAVA_LONG, CREATOR_PID_NAMESPACE_OFFSET, Liveness.selfPidNamespace());
            // the magic last: whoever attaches early sees no rpc object, or a complete one with complete channels
            LONG.setRelease(segment, (long) MAGIC_OFFSET, MAGIC);
            return new SharedRpc(shm, mapping, new long[] {clients, requestCapacity, first, stride, responseCapacity,
                    size});
        } catch (IOException | RuntimeException e) {
            try {
                shm.unlink();
            } finally {
                shm.close();
            }
            throw e;
        }
    }

    private static void checkCapacity(String what, long capacity) {
        if (capacity < ChannelDescriptor.MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(what + "=" + capacity + " is not a power of two in ["
                    + ChannelDescriptor.MIN_CAPACITY + ", " + MAX_CAPACITY + "]");
        }
    }

    /**
     * Opens and maps the existing object {@code name} and checks its RPC header and every channel header in it;
     * writes nothing and takes no role. Costs {@code shm_open}, {@code fstat}, {@code mmap}.
     *
     * @param name the POSIX shared memory name of an existing rpc object
     * @return the open object, checked and mapped; close it to unmap
     * @throws jipc.ErrnoException     ENOENT if there is no such object, EACCES if its mode forbids it
     * @throws ChannelFormatException if the object does not hold an rpc object of this version, or a field, offset or
     *                                embedded channel header is impossible (the message names it and its value)
     */
    public static SharedRpc attach(String name) throws IOException {
        PosixSharedMemory shm = PosixSharedMemory.open(name);
        try {
            long size = shm.size();
            if (size < HEADER_LENGTH) {
                throw new ChannelFormatException("rpc " + name + ": object size=" + size + " < header="
                        + HEADER_LENGTH);
            }
            Mapping mapping = shm.map();
            try {
                long[] geometry;
                try {
                    geometry = checkHeader(mapping.segment());
                } catch (ChannelFormatException e) {
                    throw new ChannelFormatException("rpc " + name + ": " + e.getMessage());
                }
                return new SharedRpc(shm, mapping, geometry);
            } catch (IOException | RuntimeException e) {
                mapping.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /**
     * Checks every field of the RPC header of {@code segment} (the whole mapping) and the header of every channel it
     * names; returns {clients, requestCapacity, responseOffset, responseStride, responseCapacity, totalSize}. Every
     * offset and size is checked against the segment before it is used, so a forged header costs an exception.
     */
    static long[] checkHeader(MemorySegment segment) throws ChannelFormatException {
        long magic = (long) LONG.getAcquire(segment, (long) MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ChannelFormatException("magic=0x" + Long.toHexString(magic) + " != 0x" + Long.toHexString(MAGIC)
                    + " (not a jipc rpc object, or not created yet)");
        }
        int version = segment.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new ChannelFormatException("rpc layout version=" + version + " != supported=" + LAYOUT_VERSION);
        }
        int headerLength = segment.get(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH) {
            throw new ChannelFormatException("header length=" + headerLength + " != " + HEADER_LENGTH);
        }
        int flags = segment.get(ValueLayout.JAVA_INT, FLAGS_OFFSET);
        if (flags != 0) {
            throw new ChannelFormatException("flags=0x" + Integer.toHexString(flags) + " has unknown bits");
        }
        int clients = segment.get(ValueLayout.JAVA_INT, CLIENT_SLOTS_OFFSET);
        if (clients < 1 || clients > MAX_CLIENT_SLOTS) {
            throw new ChannelFormatException("client slots=" + clients + " not in [1, " + MAX_CLIENT_SLOTS + "]");
        }
        long requestOffset = segment.get(ValueLayout.JAVA_LONG, REQUEST_OFFSET_OFFSET);
        if (requestOffset != REQUEST_OFFSET) {
            throw new ChannelFormatException("request offset=" + requestOffset + " != " + REQUEST_OFFSET);
        }
        long requestCapacity = checkedCapacity(segment, REQUEST_CAPACITY_OFFSET, "request capacity");
        long responseCapacity = checkedCapacity(segment, RESPONSE_CAPACITY_OFFSET, "response capacity");
        long responseOffset = segment.get(ValueLayout.JAVA_LONG, RESPONSE_OFFSET_OFFSET);
        long minimum = REQUEST_OFFSET + ChannelDescriptor.segmentSize(requestCapacity);
        if (responseOffset < minimum || responseOffset > MAX_CAPACITY * 4 || responseOffset % PAGE != 0) {
            throw new ChannelFormatException("response offset=" + responseOffset + " is not a multiple of " + PAGE
                    + " in [" + minimum + ", " + MAX_CAPACITY * 4 + "]");
        }
        long stride = segment.get(ValueLayout.JAVA_LONG, RESPONSE_STRIDE_OFFSET);
        long minStride = ChannelDescriptor.segmentSize(responseCapacity);
        if (stride < minStride || stride > MAX_CAPACITY * 2 || stride % PAGE != 0) {
            throw new ChannelFormatException("response stride=" + stride + " is not a multiple of " + PAGE + " in ["
                    + minStride + ", " + MAX_CAPACITY * 2 + "]");
        }
        long total = segment.get(ValueLayout.JAVA_LONG, TOTAL_SIZE_OFFSET);
        long expected = responseOffset + clients * stride; // bounded above: no overflow
        if (total != expected) {
            throw new ChannelFormatException("total size=" + total + " != response offset + slots * stride="
                    + expected);
        }
        if (segment.byteSize() < total) {
            throw new ChannelFormatException("object size=" + segment.byteSize() + " < total size=" + total);
        }
        checkChannel(segment, REQUEST_OFFSET, requestCapacity, true, "request channel");
        for (int i = 0; i < clients; i++) {
            checkChannel(segment, responseOffset + i * stride, responseCapacity, false, "response channel " + i);
        }
        return new long[] {clients, requestCapacity, responseOffset, stride, responseCapacity, total};
    }

    private static long checkedCapacity(MemorySegment segment, long offset, String field)
            throws ChannelFormatException {
        long capacity = segment.get(ValueLayout.JAVA_LONG, offset);
        if (capacity < ChannelDescriptor.MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new ChannelFormatException(field + "=" + capacity + " is not a power of two in ["
                    + ChannelDescriptor.MIN_CAPACITY + ", " + MAX_CAPACITY + "]");
        }
        return capacity;
    }

    private static void checkChannel(MemorySegment segment, long offset, long capacity, boolean many, String what)
            throws ChannelFormatException {
        MemorySegment image = segment.asSlice(offset, ChannelDescriptor.segmentSize(capacity));
        try {
            jipc.channel.MessageChannel channel = many ? ManyToOneChannel.attach(image)
                    : OneToOneChannel.attach(image);
            if (channel.capacity() != capacity) {
                throw new ChannelFormatException("capacity=" + channel.capacity() + " != the rpc header's "
                        + capacity);
            }
            if (channel.maxMessageLength() < REQUEST_PREFIX_LENGTH) {
                throw new ChannelFormatException("maxMessageLength=" + channel.maxMessageLength() + " < prefix="
                        + REQUEST_PREFIX_LENGTH);
            }
        } catch (ChannelFormatException e) {
            throw new ChannelFormatException(what + " at offset " + offset + ": " + e.getMessage());
        }
    }

    // ---- the ends ----------------------------------------------------------------------------------------------------

    /**
     * Takes a client slot (a free one, else one whose client is certainly dead by its liveness token), bumps its
     * generation, becomes the consumer of the slot's response channel (dropping whatever a predecessor left there)
     * and a producer of the request channel. Costs a compare-and-set per slot looked at, a liveness check (three
     * system calls) per occupied slot when none is free, and a token file the first time this process takes a role.
     *
     * @return the client holding the slot; close it to give the slot back
     * @throws jipc.live.RoleTakenException if every slot is held by a client that is alive or cannot be judged
     * @throws IllegalStateException        if a channel header inside was overwritten since attach (a corrupt object;
     *                                      the cause is the {@link ChannelFormatException}); nothing is taken then
     */
    public RpcClient client() {
        synchronized (ends) {
            checkOpen();
            RpcClient client = new RpcClient(this);
            ends.add(client);
            return client;
        }
    }

    /**
     * Takes the service role: the role word of the RPC header (from 0, or from a service that is certainly dead),
     * then the consumer role of the request channel and the producer role of every response channel. Exclusive: one
     * service at a time.
     *
     * @return the service holding the role; close it to give the role back
     * @throws jipc.live.RoleTakenException if another service holds the role and is alive or cannot be judged
     * @throws IllegalStateException        if a channel header inside was overwritten since attach (see
     *                                      {@link #client()}); nothing is taken then
     */
    public RpcService service() {
        synchronized (ends) {
            checkOpen();
            RpcService service = new RpcService(this);
            ends.add(service);
            return service;
        }
    }

    void forget(AutoCloseable end) {
        synchronized (ends) {
            ends.remove(end);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(label + " is closed");
        }
    }

    // ---- for the ends (package-private) ------------------------------------------------------------------------------

    MemorySegment header() {
        return segment;
    }

    String label() {
        return label;
    }

    Supplier<LivenessToken> tokens() {
        return tokens;
    }

    /** A new instance of the request channel, embedded (label, token, truncation check). */
    ManyToOneChannel requestChannel() {
        MemorySegment image = segment.asSlice(REQUEST_OFFSET, ChannelDescriptor.segmentSize(requestCapacity));
        ManyToOneChannel channel;
        try {
            channel = ManyToOneChannel.attach(image);
        } catch (ChannelFormatException e) {
            throw new IllegalStateException(label + ": request channel: " + e.getMessage(), e);
        }
        ChannelAccess.get().embed(channel, "the request channel of " + label, () -> available(REQUEST_OFFSET),
                tokens);
        return channel;
    }

    /** A new instance of response channel {@code slot}, embedded. */
    OneToOneChannel responseChannel(int slot) {
        long offset = responseOffset + slot * responseStride;
        MemorySegment image = segment.asSlice(offset, ChannelDescriptor.segmentSize(responseCapacity));
        OneToOneChannel channel;
        try {
            channel = OneToOneChannel.attach(image);
        } catch (ChannelFormatException e) {
            throw new IllegalStateException(label + ": response channel " + slot + ": " + e.getMessage(), e);
        }
        ChannelAccess.get().embed(channel, "response channel " + slot + " of " + label, () -> available(offset),
                tokens);
        return channel;
    }

    /** The object's bytes from {@code offset} on, now ({@code fstat}): what an embedded channel may still touch. */
    private long available(long offset) {
        try {
            return shm.size() - offset;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Throws if the object is now smaller than the mapping (see {@code RingChannel.checkMapped}). */
    void checkMapped() {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException(label + " is closed (its mapping is gone)");
        }
        long now = available(0);
        if (now < totalSize) {
            throw new IllegalStateException(label + ": the shared object is now " + now + " bytes, less than the "
                    + totalSize + " mapped (another process truncated it)");
        }
    }

    // ---- what it holds -------------------------------------------------------------------------------------------------

    /**
     * The shared memory object's name.
     *
     * @return the name given to {@code create} or {@code attach}, with its leading {@code "/"}
     */
    public String name() {
        return shm.name();
    }

    /**
     * The number of client slots.
     *
     * @return the number of slots, fixed at creation
     */
    public int clientSlots() {
        return clientSlots;
    }

    /**
     * The largest request payload (the request channel's largest message minus the 16-byte prefix).
     *
     * @return the largest request payload in bytes
     */
    public int maxRequestLength() {
        return ChannelDescriptor.defaultMaxMessageLength(requestCapacity) - REQUEST_PREFIX_LENGTH;
    }

    /**
     * The largest response payload.
     *
     * @return the largest response payload in bytes (the response channel's largest message minus the 16-byte prefix)
     */
    public int maxResponseLength() {
        return ChannelDescriptor.defaultMaxMessageLength(responseCapacity) - RESPONSE_PREFIX_LENGTH;
    }

    /**
     * The request ring's size in bytes.
     *
     * @return the capacity in bytes, fixed at creation
     */
    public long requestCapacity() {
        return requestCapacity;
    }

    /**
     * Each response ring's size in bytes.
     *
     * @return the capacity in bytes, fixed at creation
     */
    public long responseCapacity() {
        return responseCapacity;
    }

    /**
     * The service's pid as it recorded it (display only), 0 if no service holds the role.
     *
     * @return the pid in the service's own pid namespace, or {@code 0}
     */
    public int servicePid() {
        return Role.holder(segment, SERVICE_PARTY_OFFSET) == 0 ? 0
                : (int) INT.getAcquire(segment, (long) SERVICE_PID_OFFSET);
    }

    /**
     * The service's pid namespace inode as it recorded it (display only).
     *
     * @return the inode of the service's pid namespace, {@code 0} if unknown
     */
    public long servicePidNamespace() {
        return (long) LONG.getAcquire(segment, (long) SERVICE_PID_NAMESPACE_OFFSET);
    }

    /**
     * How many services have taken the role so far (the epoch word; wraps).
     *
     * @return the epoch word, {@code 0} before the first service
     */
    public int serviceEpoch() {
        return (int) INT.getAcquire(segment, (long) SERVICE_EPOCH_OFFSET);
    }

    /**
     * The verdict on the service role's holder, by its liveness token ({@code open}, {@code fcntl}, {@code close}).
     *
     * @return the verdict, with its reason; life {@code NONE} if no service holds the role
     */
    public PartyState serviceState() {
        return Liveness.check(Role.holder(segment, SERVICE_PARTY_OFFSET));
    }

    /**
     * One client slot as the header shows it now.
     *
     * @param slot the slot's index, from 0
     * @param generation how many clients have taken the slot (wraps); the high half of its correlation ids
     * @param pid the holder's pid in its own pid namespace (display only)
     * @param pidNamespace the inode of the holder's pid namespace (display only), 0 if unknown
     * @param state the verdict on the holder by its liveness token
     */
    public record ClientSlot(int slot, int generation, int pid, long pidNamespace, PartyState state) {
    }

    /**
     * The slots held now (a snapshot; each holder judged by its token: three system calls each).
     *
     * @return one entry per held slot, in slot order
     */
    public List<ClientSlot> clients() {
        List<ClientSlot> held = new ArrayList<>();
        for (int i = 0; i < clientSlots; i++) {
            long offset = clientSlotOffset(i);
            long party = (long) LONG.getAcquire(segment, offset + SLOT_PARTY_OFFSET);
            if (party != 0) {
                held.add(new ClientSlot(i, (int) INT.getAcquire(segment, offset + SLOT_GENERATION_OFFSET),
                        (int) INT.getAcquire(segment, offset + SLOT_PID_OFFSET),
                        (long) LONG.getAcquire(segment, offset + SLOT_PID_NAMESPACE_OFFSET), Liveness.check(party)));
            }
        }
        return held;
    }

    /**
     * The mapping the object lives in.
     *
     * @return the mapping of the whole object, valid until {@link #close()}
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

    /**
     * Closes every client and service made from this instance (giving their roles back), unmaps and closes the
     * descriptor. Idempotent. Do not close while another thread is inside a call of one of them.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            List<AutoCloseable> open;
            synchronized (ends) {
                open = new ArrayList<>(ends);
                ends.clear();
            }
            try {
                for (AutoCloseable end : open) {
                    try {
                        end.close();
                    } catch (Exception e) {
                        // the object was truncated under us: its roles die with this process
                    }
                }
            } finally {
                mapping.close();
                shm.close();
            }
        }
    }

    @Override
    public String toString() {
        return "SharedRpc[" + shm.name() + ", clients=" + clientSlots + ", request=" + requestCapacity
                + ", response=" + responseCapacity + (closed.get() ? ", closed]" : "]");
    }
}
