package jipc.rpc;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

import jipc.channel.ManyToOneChannel;
import jipc.channel.MessageHandler;
import jipc.channel.OneToOneChannel;
import jipc.channel.WaitStrategy;
import jipc.live.Liveness;
import jipc.live.Party;
import jipc.live.PartyState;
import jipc.live.RoleTakenException;

import static jipc.rpc.RpcDescriptor.*;
import static jipc.rpc.SharedRpc.INT;
import static jipc.rpc.SharedRpc.LONG;

/**
 * One client of a {@link SharedRpc}: holds a client slot, sends requests and waits for exactly their responses.
 *
 * <p>A call claims room in the request ring, writes the 16-byte prefix (slot, flags, correlation id) and the request,
 * commits, then waits on its own response ring's futex (a virtual thread parks) in slices of at most 100 ms. A
 * response carries the call's correlation id, {@code (slot generation << 32) | call counter}: a response meant for
 * an earlier call that timed out, or for a dead predecessor in this slot, has another id and is dropped, never
 * handed to this call. At every slice end the client judges the service: none registered, replaced by another, or
 * dead by its liveness token ends the call at once with {@link ServiceUnavailableException} (the deadline is not
 * waited for); a deadline that passes while the service lives ends it with {@link RpcTimeoutException}.
 *
 * <p>Costs per call on the fast path: a compare-and-set of the request tail, a few release stores, one
 * {@code FUTEX_WAKE} if the service sleeps, and this client's own sleep (a {@code FUTEX_WAIT}, after a short spin);
 * no copy with {@link #claim}/{@link #commit}, one copy of the request with {@link #call(int, MemorySegment, Duration,
 * ResponseHandler)}; the response is never copied by the client (the handler sees it in place). A liveness check of the
 * service (three system calls) happens only at slice ends, i.e. when a call waits longer than a slice.
 *
 * <p>Not thread-safe: one client per thread (each holds its own slot). {@link #close()} gives the slot back.
 */
public final class RpcClient implements AutoCloseable {
    /** The longest single wait before the client looks at the service's liveness again. */
    static final long SLICE_NANOS = 100_000_000L;

    private final SharedRpc rpc;
    private final MemorySegment header;
    private final String label;
    private final int slot;
    private final long slotOffset;
    private final int generation;
    private final Party party;
    private final ManyToOneChannel requests;
    private final OneToOneChannel responses;
    private final int maxRequest;
    private final Receiver receiver = new Receiver();
    private int counter;
    private boolean closed;

    // the open call
    private boolean claimOpen;
    private long callId;
    private long callDeadline;
    private long callService;
    /** Responses dropped because their id was not the call's (late ones, a predecessor's). */
    private long staleDropped;

    RpcClient(SharedRpc rpc) {
        this.rpc = rpc;
        this.header = rpc.header();
        this.label = rpc.label();
        rpc.checkMapped();
        Party self = rpc.tokens().get().newParty();
        int taken = -1;
        long previous = 0;
        long lastHolder = 0;
        try {
            search:
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < rpc.clientSlots(); i++) {
                    long offset = clientSlotOffset(i) + SLOT_PARTY_OFFSET;
                    long holder = (long) LONG.getAcquire(header, offset);
                    boolean takeable = holder == 0 || (pass == 1 && Liveness.check(holder).isDead());
                    if (holder != 0) {
                        lastHolder = holder;
                    }
                    if (takeable && (boolean) LONG.compareAndSet(header, offset, holder, self.id())) {
                        taken = i;
                        previous = holder;
                        break search;
                    }
                }
            }
            if (taken < 0) {
                PartyState state = Liveness.check(lastHolder);
                throw new RoleTakenException("every one of the " + rpc.clientSlots() + " client slots of " + label,
                        lastHolder, state, "the last holder looked at");
            }
        } catch (RuntimeException e) {
            self.close();
            throw e;
        }
        this.slot = taken;
        this.slotOffset = clientSlotOffset(taken);
        this.party = self;
        // A new generation first: every correlation id of a predecessor in this slot is stale from here on, and a
        // service that sees the generation change drops the responses still meant for it.
        this.generation = (int) INT.getAndAdd(header, slotOffset + SLOT_GENERATION_OFFSET, 1) + 1;
        if (previous != 0 && jipc.internal.Jfr.PRESENT) {
            jipc.internal.Jfr.recovery("client slot " + taken + " of " + label, "taken over from a dead holder",
                    Liveness.describe((int) INT.getAcquire(header, slotOffset + SLOT_PID_OFFSET),
                            (long) LONG.getAcquire(header, slotOffset + SLOT_PID_NAMESPACE_OFFSET)), previous);
        }
        INT.setRelease(header, slotOffset + SLOT_PID_OFFSET, Liveness.selfPid());
        LONG.setRelease(header, slotOffset + SLOT_PID_NAMESPACE_OFFSET, Liveness.selfPidNamespace());
        if (previous != 0) {
            Liveness.removeDeadToken(previous);
        }
        OneToOneChannel response = null;
        ManyToOneChannel request = null;
        try {
            response = rpc.responseChannel(taken);
            response.registerConsumer();
            // whatever a predecessor left is not ours: drop it now rather than one by one while waiting
            while (response.poll((type, payload) -> staleDropped++) > 0) {
                // until empty
            }
            request = rpc.requestChannel();
            request.attachProducer();
        } catch (RuntimeException e) {
            if (request != null) {
                request.detachProducer();
            }
            if (response != null) {
                response.unregisterConsumer();
            }
            giveSlotBack();
            throw e;
        }
        this.responses = response;
        this.requests = request;
        this.maxRequest = rpc.maxRequestLength();
    }

    /**
     * The client slot this client holds (its response channel's index).
     *
     * @return the slot's index, from 0
     */
    public int slot() {
        return slot;
    }

    /**
     * The slot's generation this client took it at: the high half of its correlation ids.
     *
     * @return the generation, the same for every call of this client
     */
    public int generation() {
        return generation;
    }

    /**
     * The largest request payload.
     *
     * @return the largest request payload in bytes
     */
    public int maxRequestLength() {
        return maxRequest;
    }

    /**
     * Responses dropped so far because they were not for the call waiting (late, or a predecessor's).
     *
     * @return the count since this client took its slot
     */
    public long staleResponsesDropped() {
        return staleDropped;
    }

    /**
     * Sets how this client waits for its response and for room in the request ring ({@link WaitStrategy#hybrid()} by
     * default: a short spin, then {@code FUTEX_WAIT}); {@link WaitStrategy#futex()} sleeps at once, which spares a
     * core when the service takes longer than the spin.
     *
     * @param strategy the strategy of every wait of this client
     * @return this
     */
    public RpcClient waitStrategy(WaitStrategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        responses.waitStrategy(strategy);
        requests.waitStrategy(strategy);
        return this;
    }

    /**
     * Sends {@code request} (copied once, into the request ring) and waits up to {@code deadline} for its response,
     * which {@code handler} receives in place.
     *
     * @param type     the message type, {@code >= 1}: the service's handler receives it
     * @param deadline how long the whole call may take: waiting for room, the service's work and the response
     * @param handler receives the response in place in the response ring, valid only during its call
     * @param request the request bytes, at most {@link #maxRequestLength()} of them
     * @param <T> what {@code handler} makes of the response
     * @return what {@code handler} returned
     * @throws ServiceUnavailableException no live service (noticed within a slice of at most 100 ms)
     * @throws RpcTimeoutException         the deadline passed while the service lived
     * @throws RpcFailedException          the service's handler failed for this request
     * @throws InterruptedException        the thread was interrupted while waiting (noticed within 100 ms); the
     *                                     request may have been sent, its response is dropped later
     * @throws IllegalArgumentException    a type below 1, or a request longer than {@link #maxRequestLength()}
     */
    public <T> T call(int type, MemorySegment request, Duration deadline, ResponseHandler<T> handler)
            throws IOException, InterruptedException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        MemorySegment room = claim(type, checkedLength(request.byteSize()), deadline);
        MemorySegment.copy(request, 0, room, 0, request.byteSize());
        return commit(handler);
    }

    /**
     * {@link #call(int, MemorySegment, Duration, ResponseHandler)} for a byte array; returns the response copied.
     *
     * @param type the message type, {@code >= 1}: the service's handler receives it
     * @param request the request bytes, at most {@link #maxRequestLength()} of them
     * @param deadline how long the whole call may take
     * @return the response payload, copied onto the heap
     * @throws IOException {@link ServiceUnavailableException}, {@link RpcTimeoutException} or
     *     {@link RpcFailedException} as for the call it delegates to
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public byte[] call(int type, byte[] request, Duration deadline) throws IOException, InterruptedException {
        return call(type, MemorySegment.ofArray(request), deadline,
                (t, response) -> response.toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * The zero-copy first half of a call: claims room for a request of {@code length} bytes in the request ring
     * (waiting for room up to {@code deadline}), writes the prefix, and returns the writable slice where the
     * request goes. Then {@link #commit} sends it and waits for the response (the same deadline), or {@link #abort}
     * gives the room up. The service waits for an open claim of a live client, so commit or abort promptly.
     *
     * @param deadline how long the whole call may take, from this claim to the response
     * @param length the request length in bytes, at most {@link #maxRequestLength()}
     * @param type the message type, {@code >= 1}: the service's handler receives it
     * @return the writable slice of the request ring where the request goes
     * @throws ServiceUnavailableException if no live service holds the role now (nothing is claimed then)
     * @throws RpcTimeoutException         if no room came before the deadline
     * @throws IllegalStateException       if a claim is open already, or the client is closed
     * @throws InterruptedException if the thread is interrupted while waiting for room (noticed within 100 ms)
     */
    public MemorySegment claim(int type, int length, Duration deadline) throws IOException, InterruptedException {
        checkOpen();
        if (claimOpen) {
            throw new IllegalStateException("a request claim is open already: commit or abort it");
        }
        checkedLength(length);
        long start = System.nanoTime();
        long deadlineNanos = start + nanos(deadline);
        long service = liveService(0);
        MemorySegment room;
        for (;;) {
            long left = deadlineNanos - System.nanoTime();
            room = requests.claim(type, REQUEST_PREFIX_LENGTH + length,
                    Duration.ofNanos(Math.max(0, Math.min(left, SLICE_NANOS))));
            if (room != null) {
                break;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new RpcTimeoutException(label + ": no room in the request ring within "
                        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms (service "
                        + serviceDescription() + " is busy)");
            }
            liveService(service);
        }
        counter++;
        long id = correlationId(generation, counter);
        room.set(ValueLayout.JAVA_INT, REQUEST_SLOT_OFFSET, slot);
        room.set(ValueLayout.JAVA_INT, REQUEST_FLAGS_OFFSET, 0);
        room.set(ValueLayout.JAVA_LONG, REQUEST_ID_OFFSET, id);
        claimOpen = true;
        callId = id;
        callDeadline = deadlineNanos;
        callService = service;
        return room.asSlice(REQUEST_PREFIX_LENGTH, length);
    }

    /**
     * Sends the claimed request and waits for its response (see {@link #call}); the response goes to
     * {@code handler} in place.
     *
     * @param handler receives the response in place in the response ring, valid only during its call
     * @param <T> what {@code handler} makes of the response
     * @return what {@code handler} returned
     * @throws IllegalStateException if no claim is open
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     * @throws IOException {@link ServiceUnavailableException}, {@link RpcTimeoutException} or
     *     {@link RpcFailedException} as for {@link #call(int, MemorySegment, Duration, ResponseHandler)}
     */
    public <T> T commit(ResponseHandler<T> handler) throws IOException, InterruptedException {
        Objects.requireNonNull(handler, "handler");
        if (!claimOpen) {
            throw new IllegalStateException("no open request claim: call claim first");
        }
        requests.commit();
        claimOpen = false;
        return await(handler);
    }

    /**
     * Test hook: sends a request and returns its correlation id without waiting for the response (which the next
     * call drops as stale). Lets a test leave requests in flight, as a client killed mid-call does.
     */
    long sendWithoutWaiting(int type, byte[] request, Duration deadline) throws IOException, InterruptedException {
        MemorySegment room = claim(type, checkedLength(request.length), deadline);
        MemorySegment.copy(MemorySegment.ofArray(request), 0, room, 0, request.length);
        requests.commit();
        claimOpen = false;
        return callId;
    }

    /** Gives up the claimed request unsent (it becomes padding the service skips). */
    public void abort() {
        if (!claimOpen) {
            throw new IllegalStateException("no open request claim: call claim first");
        }
        requests.abort();
        claimOpen = false;
    }

    private <T> T await(ResponseHandler<T> handler) throws IOException, InterruptedException {
        Receiver r = receiver;
        r.expect(callId, handler);
        try {
            for (;;) {
                long left = callDeadline - System.nanoTime();
                responses.poll(r, Integer.MAX_VALUE, Duration.ofNanos(Math.max(0, Math.min(left, SLICE_NANOS))));
                if (r.arrived) {
                    if (r.failure != null) {
                        throw new RpcFailedException(label + ": the service failed on request " + Long.toHexString(
                                callId) + ": " + r.failure);
                    }
                    @SuppressWarnings("unchecked")
                    T result = (T) r.result;
                    return result;
                }
                if (System.nanoTime() - callDeadline >= 0) {
                    throw new RpcTimeoutException(label + ": no response within the deadline (service "
                            + serviceDescription() + " is alive; a late response will be dropped)");
                }
                liveService(callService);
            }
        } finally {
            r.reset();
        }
    }

    /**
     * The service party now if it is not certainly dead (and, with {@code expected != 0}, still the one that was
     * there when the call began); else {@link ServiceUnavailableException}. One load, and a liveness check (three
     * system calls) for another process's service, at most once per slice when a call starts (a service that dies
     * later is found by the waiting call within a slice).
     */
    /** The service party last judged not dead, and when ({@link System#nanoTime()}): calls reuse the verdict. */
    private long judgedService;
    private long judgedAt;

    private long liveService(long expected) throws ServiceUnavailableException {
        long service = (long) LONG.getAcquire(header, (long) SERVICE_PARTY_OFFSET);
        int pid = (int) INT.getAcquire(header, (long) SERVICE_PID_OFFSET);
        if (service == 0) {
            throw new ServiceUnavailableException(label + ": no service is running"
                    + (expected != 0 ? " (the service closed while the request was pending)" : ""), 0);
        }
        if (expected != 0 && service != expected) {
            throw new ServiceUnavailableException(label + ": the service that was running when the request was sent "
                    + "is gone; another (" + serviceDescription() + ") runs now: the request may or may not have "
                    + "been handled", pid);
        }
        long now = System.nanoTime();
        if (expected == 0 && service == judgedService && now - judgedAt < SLICE_NANOS) {
            return service; // judged alive less than a slice ago: a call costs no liveness system calls
        }
        PartyState state = Liveness.check(service);
        judgedService = state.isDead() ? 0 : service;
        judgedAt = now;
        if (state.isDead()) {
            throw new ServiceUnavailableException(label + ": the service (" + serviceDescription() + ") is dead ("
                    + state.reason() + ")" + (expected != 0 ? ": the request may or may not have been handled" : ""),
                    pid);
        }
        return service;
    }

    private String serviceDescription() {
        return Liveness.describe((int) INT.getAcquire(header, (long) SERVICE_PID_OFFSET),
                (long) LONG.getAcquire(header, (long) SERVICE_PID_NAMESPACE_OFFSET));
    }

    private int checkedLength(long length) {
        if (length < 0 || length > maxRequest) {
            throw new IllegalArgumentException("length=" + length + " not in [0, maxRequestLength=" + maxRequest
                    + "]");
        }
        return (int) length;
    }

    private static long nanos(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative()) {
            throw new IllegalArgumentException("deadline=" + deadline + " is negative");
        }
        return deadline.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : deadline.toNanos();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this client of " + label + " is closed");
        }
    }

    /** Takes the responses of the response ring: hands the one with the call's id over, drops the rest. */
    private final class Receiver implements MessageHandler {
        long expected;
        ResponseHandler<?> handler;
        boolean arrived;
        Object result;
        String failure;

        void expect(long id, ResponseHandler<?> h) {
            expected = id;
            handler = h;
        }

        void reset() {
            handler = null;
            arrived = false;
            result = null;
            failure = null;
        }

        @Override
        public void onMessage(int type, MemorySegment payload) {
            if (arrived || payload.byteSize() < RESPONSE_PREFIX_LENGTH
                    || payload.get(ValueLayout.JAVA_LONG, RESPONSE_ID_OFFSET) != expected) {
                staleDropped++;
                return;
            }
            arrived = true;
            int status = payload.get(ValueLayout.JAVA_INT, RESPONSE_STATUS_OFFSET);
            MemorySegment body = payload.asSlice(RESPONSE_PREFIX_LENGTH);
            if (status == STATUS_OK) {
                result = handler.onResponse(type, body);
            } else {
                failure = "status " + status + ": " + new String(body.toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8);
            }
        }
    }

    private void giveSlotBack() {
        try {
            rpc.checkMapped();
            boolean unused = (boolean) LONG.compareAndSet(header, slotOffset + SLOT_PARTY_OFFSET, party.id(), 0L);
        } finally {
            party.close();
        }
    }

    /**
     * Aborts an open claim, gives the request channel's producer slot, the response channel's consumer role and the
     * client slot back (in that order). Idempotent. Responses still on their way are dropped by the next client of
     * the slot (their generation is old).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            requests.detachProducer();
            responses.unregisterConsumer();
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // truncated or unmapped: the roles die with this process
        } finally {
            try {
                giveSlotBack();
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                // as above
            }
            rpc.forget(this);
        }
    }

    @Override
    public String toString() {
        return "RpcClient[" + label + ", slot=" + slot + ", generation=" + generation + (closed ? ", closed]" : "]");
    }
}
