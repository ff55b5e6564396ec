package jipc.rpc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import jipc.channel.ManyToOneChannel;
import jipc.channel.MessageHandler;
import jipc.channel.OneToOneChannel;
import jipc.channel.WaitStrategy;
import jipc.live.Liveness;
import jipc.live.Party;
import jipc.live.Role;

import static jipc.rpc.RpcDescriptor.*;
import static jipc.rpc.SharedRpc.INT;
import static jipc.rpc.SharedRpc.LONG;

/**
 * The service of a {@link SharedRpc}: the one party that takes requests from every client and answers each into
 * the response ring of the client slot it came from.
 *
 * <p>It holds the service role (the RPC header's service word), the consumer role of the request channel and the
 * producer role of every response channel, all taken when it is made and given back by {@link #close()}; clients
 * judge the service word's holder by its liveness token, so a killed service fails their waiting calls within one
 * slice. Requests are handled in arrival order by {@link #poll} (one batch, on the calling thread) or
 * {@link #serve(RequestHandler)} (a loop until {@link #stop()}); {@link #serve(RequestHandler, int)} hands them to a
 * pool of threads.
 *
 * <p>Costs: on one thread a request is handed to the handler in place (zero-copy), and a response is written either
 * in place ({@link Responder#claim}) or with one copy ({@link Responder#respond}); per request the service reads two
 * words of the client's slot (is it still the same client?) and makes a {@code FUTEX_WAKE} only if that client
 * sleeps. A liveness check (three system calls) happens only when a client's response ring is full. The pool copies
 * each request once onto the heap (the request ring's room must be given back before the workers finish).
 *
 * <p>A request whose client is gone, or whose slot a new client took since (another generation), is skipped without
 * calling the handler; a response for such a client is dropped; a client whose response ring stays full is waited
 * for only while it lives, and at most {@link #responseWait(Duration)}. Both count in {@link #responsesDropped()}.
 * Requests that are shorter than the prefix or name a slot that does not exist count in {@link #malformedRequests()}.
 * A hostile writer of the request ring's records makes {@code poll} throw
 * {@link jipc.channel.ChannelCorruptedException} (see {@code docs/channel-format.md}).
 *
 * <p>{@link #poll} and {@link #serve(RequestHandler)} must be called from one thread at a time.
 */
public final class RpcService implements AutoCloseable {
    /** How long a response waits for room in a live client's full ring, unless set. */
    public static final Duration DEFAULT_RESPONSE_WAIT = Duration.ofSeconds(1);
    private static final Duration SLICE = Duration.ofNanos(RpcClient.SLICE_NANOS);

    private final SharedRpc rpc;
    private final MemorySegment header;
    private final String label;
    private final int clients;
    private final Party party;
    private final ManyToOneChannel requests;
    private final OneToOneChannel[] responses;
    private final ReentrantLock[] responseLocks;
    private final int maxResponse;
    private final Responder inline = new Responder(this);
    /** Per slot: a generation whose client was found dead (its requests are skipped), valid where deadKnown. */
    private final int[] deadGeneration;
    private final boolean[] deadKnown;
    private final ReentrantLock pollLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile boolean stopping;
    private volatile long responseWaitNanos = DEFAULT_RESPONSE_WAIT.toNanos();

    RpcService(SharedRpc rpc) {
        this.rpc = rpc;
        this.header = rpc.header();
        this.label = rpc.label();
        this.clients = rpc.clientSlots();
        this.maxResponse = rpc.maxResponseLength();
        this.deadGeneration = new int[clients];
        this.deadKnown = new boolean[clients];
        rpc.checkMapped();
        Party self = rpc.tokens().get().newParty();
        try {
            Role.take(header, SERVICE_PARTY_OFFSET, self, "the service of " + label,
                    holder -> Liveness.describe((int) INT.getAcquire(header, (long) SERVICE_PID_OFFSET),
                            (long) LONG.getAcquire(header, (long) SERVICE_PID_NAMESPACE_OFFSET)));
        } catch (RuntimeException e) {
            self.close();
            throw e;
        }
        INT.setRelease(header, (long) SERVICE_PID_OFFSET, Liveness.selfPid());
        LONG.setRelease(header, (long) SERVICE_PID_NAMESPACE_OFFSET, Liveness.selfPidNamespace());
        int unused = (int) INT.getAndAdd(header, (long) SERVICE_EPOCH_OFFSET, 1);
        this.party = self;
        ManyToOneChannel request = null;
        OneToOneChannel[] response = new OneToOneChannel[clients];
        try {
            request = rpc.requestChannel();
            request.registerConsumer();
            for (int i = 0; i < clients; i++) {
                response[i] = rpc.responseChannel(i);
                response[i].attachProducer();
            }
        } catch (RuntimeException e) {
            giveBack(request, response);
            throw e;
        }
        this.requests = request;
        this.responses = response;
        this.responseLocks = new ReentrantLock[clients];
        for (int i = 0; i < clients; i++) {
            responseLocks[i] = new ReentrantLock();
        }
    }

    /**
     * Sets how the service waits for requests and for room in a client's response ring ({@link WaitStrategy#hybrid()}
     * by default: a short spin, then {@code FUTEX_WAIT}; {@link WaitStrategy#futex()} sleeps at once). Set it before
     * serving.
     *
     * @param strategy the strategy of every wait of this service
     * @return this
     */
    public RpcService waitStrategy(WaitStrategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        requests.waitStrategy(strategy);
        for (OneToOneChannel response : responses) {
            response.waitStrategy(strategy);
        }
        return this;
    }

    /**
     * Sets how long at most a response waits for room in the ring of a client that is alive but does not read
     * (default {@link #DEFAULT_RESPONSE_WAIT}); returns this.
     *
     * @param wait the longest wait for room per response; {@code null} waits as long as the client lives
     * @return this service
     */
    public RpcService responseWait(Duration wait) {
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait=" + wait + " is negative");
        }
        this.responseWaitNanos = wait.toNanos();
        return this;
    }

    /**
     * Handles at most {@code limit} requests, waiting up to {@code timeout} ({@code null}: as long as it takes) for
     * the first: each goes to {@code handler} in place, on this thread.
     *
     * @param timeout how long to wait for the first request; {@code null} waits as long as it takes
     * @param limit the most requests to take in this call
     * @param handler receives each request on this thread, in place in the request ring
     * @return the number of request messages taken (skipped ones included)
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     * @throws IllegalStateException if the service is closed
     */
    public int poll(RequestHandler handler, int limit, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(handler, "handler");
        pollLock.lock();
        try {
            checkOpen();
            return requests.poll((type, payload) -> dispatch(handler, type, payload, inline, false), limit, timeout);
        } finally {
            pollLock.unlock();
        }
    }

    /**
     * Handles requests on this thread until {@link #stop()} or {@link #close()} (noticed within 100 ms).
     *
     * @param handler receives each request on this thread, in place in the request ring
     * @throws InterruptedException if the thread is interrupted
     */
    public void serve(RequestHandler handler) throws InterruptedException {
        while (!stopping && !closed.get()) {
            poll(handler, 64, SLICE);
        }
    }

    /**
     * Handles requests with {@code threads} worker threads until {@link #stop()} or {@link #close()}: this thread
     * takes each request, copies it onto the heap (so its room in the request ring goes back at once) and hands it to
     * a worker; at most {@code 4 * threads} requests wait for a worker at a time (then this thread waits too). The
     * workers' responses to one client are written one at a time (a lock per client slot). Returns when every request
     * taken is answered.
     *
     * @param threads the number of worker threads, {@code >= 1}
     * @param handler receives each request on a worker thread, as a copy on the heap
     * @throws InterruptedException if the thread is interrupted (the workers finish what they have)
     */
    public void serve(RequestHandler handler, int threads) throws InterruptedException {
        Objects.requireNonNull(handler, "handler");
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + " < 1");
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "jipc-rpc-worker " + label);
            t.setDaemon(true);
            return t;
        });
        Semaphore queued = new Semaphore(4 * threads);
        MessageHandler toPool = (type, payload) -> {
            byte[] copy = payload.toArray(ValueLayout.JAVA_BYTE);
            queued.acquireUninterruptibly();
            pool.execute(() -> {
                try {
                    dispatch(handler, type, MemorySegment.ofArray(copy), new Responder(this), true);
                } finally {
                    queued.release();
                }
            });
        };
        try {
            while (!stopping && !closed.get()) {
                pollLock.lock();
                try {
                    checkOpen();
                    requests.poll(toPool, 64, SLICE);
                } finally {
                    pollLock.unlock();
                }
            }
        } finally {
            pool.shutdown();
            boolean unused = pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** Makes {@link #serve} return within 100 ms (from any thread). */
    public void stop() {
        stopping = true;
    }

    /** Whether a request is waiting in the request ring now (two loads; for tests and tools). */
    boolean hasRequest() {
        return requests.hasMessage();
    }

    /**
     * Requests handed to the handler so far.
     *
     * @return the count since this service took the role
     */
    public long requestsHandled() {
        return handled.get();
    }

    /**
     * Responses dropped (client gone, replaced, or not reading) and requests of gone clients skipped.
     *
     * @return the count since this service took the role
     */
    public long responsesDropped() {
        return dropped.get();
    }

    /**
     * Requests shorter than the prefix or naming a slot that does not exist.
     *
     * @return the count since this service took the role (each was skipped)
     */
    public long malformedRequests() {
        return malformed.get();
    }

    /** The one place a request meets the handler: checks the prefix and the client, then makes sure of an answer. */
    private void dispatch(RequestHandler handler, int type, MemorySegment payload, Responder responder,
                          boolean heap) {
        if (payload.byteSize() < REQUEST_PREFIX_LENGTH) {
            malformed.incrementAndGet();
            return;
        }
        int slot = heap ? payload.get(ValueLayout.JAVA_INT_UNALIGNED, REQUEST_SLOT_OFFSET)
                : payload.get(ValueLayout.JAVA_INT, REQUEST_SLOT_OFFSET);
        long id = heap ? payload.get(ValueLayout.JAVA_LONG_UNALIGNED, REQUEST_ID_OFFSET)
                : payload.get(ValueLayout.JAVA_LONG, REQUEST_ID_OFFSET);
        if (slot < 0 || slot >= clients) {
            malformed.incrementAndGet();
            return;
        }
        int generation = generationOf(id);
        if (!current(slot, generation) || deadGeneration[slot] == generation && deadKnown[slot]) {
            dropped.incrementAndGet(); // its client is gone (or found dead): nobody waits for the answer
            return;
        }
        responder.reset(slot, id);
        String failure = null;
        try {
            handler.onRequest(type, payload.asSlice(REQUEST_PREFIX_LENGTH), responder);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "the service was interrupted";
        } catch (Exception e) {
            failure = "the handler failed: " + e;
        } finally {
            responder.abortOpenClaim();
        }
        handled.incrementAndGet();
        if (!responder.answered()) {
            try {
                responder.fail(failure != null ? failure : "the handler returned without responding");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether slot {@code slot} is held, in generation {@code generation}: two loads. */
    private boolean current(int slot, int generation) {
        long offset = clientSlotOffset(slot);
        return (long) LONG.getAcquire(header, offset + SLOT_PARTY_OFFSET) != 0
                && (int) INT.getAcquire(header, offset + SLOT_GENERATION_OFFSET) == generation;
    }

    private boolean clientMayBeAlive(int slot) {
        return Liveness.check((long) LONG.getAcquire(header, clientSlotOffset(slot) + SLOT_PARTY_OFFSET))
                .mayBeAlive();
    }

    int maxResponse() {
        return maxResponse;
    }

    /**
     * Claims a response of {@code length} user bytes in slot {@code slot}'s ring and writes the prefix; returns the
     * user bytes' slice with the slot's lock held (released by commit or abort), or {@code null} (lock released) if
     * the response is dropped.
     */
    MemorySegment claimResponse(int slot, long id, int type, int status, int length) throws InterruptedException {
        ReentrantLock lock = responseLocks[slot];
        lock.lock();
        boolean keep = false;
        try {
            int generation = generationOf(id);
            if (!current(slot, generation)) {
                dropped.incrementAndGet();
                return null;
            }
            OneToOneChannel channel = responses[slot];
            int size = RESPONSE_PREFIX_LENGTH + length;
            MemorySegment room = channel.tryClaim(type, size);
            if (room == null) {
                // A full ring: wait only for a client that lives (judged before every slice, so a dead one costs
                // one check, not a slice), and remember a dead one so its other requests are skipped unhandled.
                long until = System.nanoTime() + responseWaitNanos;
                for (;;) {
                    if (!clientMayBeAlive(slot)) {
                        deadGeneration[slot] = generation;
                        deadKnown[slot] = true;
                        dropped.incrementAndGet();
                        return null;
                    }
                    if (!current(slot, generation) || System.nanoTime() - until >= 0 || closed.get()) {
                        dropped.incrementAndGet();
                        return null;
                    }
                    room = channel.claim(type, size, SLICE);
                    if (room != null) {
                        break;
                    }
                }
            }
            if (!current(slot, generation)) {
                // the slot changed hands while we waited for room (the new client drained the ring): not its answer
                channel.abort();
                dropped.incrementAndGet();
                return null;
            }
            room.set(ValueLayout.JAVA_LONG, RESPONSE_ID_OFFSET, id);
            room.set(ValueLayout.JAVA_INT, RESPONSE_STATUS_OFFSET, status);
            room.set(ValueLayout.JAVA_INT, RESPONSE_RESERVED_OFFSET, 0);
            keep = true;
            return room.asSlice(RESPONSE_PREFIX_LENGTH, length);
        } finally {
            if (!keep) {
                lock.unlock();
            }
        }
    }

    void commitResponse(int slot) {
        try {
            responses[slot].commit();
        } finally {
            responseLocks[slot].unlock();
        }
    }

    void abortResponse(int slot) {
        try {
            responses[slot].abort();
        } finally {
            responseLocks[slot].unlock();
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the service of " + label + " is closed");
        }
    }

    private void giveBack(ManyToOneChannel request, OneToOneChannel[] response) {
        try {
            for (OneToOneChannel channel : response) {
                if (channel != null) {
                    channel.detachProducer();
                }
            }
            if (request != null) {
                request.unregisterConsumer();
            }
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // truncated or unmapped: the roles die with this process
        } finally {
            try {
                rpc.checkMapped();
                Role.giveBack(header, SERVICE_PARTY_OFFSET, party);
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                // as above
            } finally {
                party.close();
            }
        }
    }

    /**
     * Stops {@link #serve}, waits for a poll in progress to end (at most a slice), and gives back the response
     * channels' producer roles, the request channel's consumer role and the service role, in that order: waiting
     * clients then see no service and fail at their next slice. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopping = true;
        pollLock.lock();
        try {
            giveBack(requests, responses);
        } finally {
            pollLock.unlock();
            rpc.forget(this);
        }
    }

    @Override
    public String toString() {
        return "RpcService[" + label + ", handled=" + handled + ", dropped=" + dropped + "]";
    }
}
