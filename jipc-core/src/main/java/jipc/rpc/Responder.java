package jipc.rpc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How a {@link RequestHandler} answers one request: {@link #respond} (one copy into the client's response ring), or
 * {@link #claim} + {@link #commit} (zero-copy: write the response where the client will read it). Exactly once per
 * request; a handler that returns without answering makes the service answer with a failure.
 *
 * <p>Answering waits while the client's response ring is full only as long as that client lives (and still holds its
 * slot in the same generation), at most the service's response wait; otherwise the response is dropped and counted
 * ({@link RpcService#responsesDropped()}), and {@link #claim} returns {@code null}. A response for a client that is
 * gone, or whose slot was taken by another client since the request was sent, is dropped at once: the service is
 * never blocked by a dead client, and no client ever receives a predecessor's response.
 */
public final class Responder {
    private final RpcService service;
    private int slot;
    private long id;
    private boolean answered;
    private boolean claimOpen;

    Responder(RpcService service) {
        this.service = service;
    }

    void reset(int slot, long id) {
        this.slot = slot;
        this.id = id;
        this.answered = false;
        this.claimOpen = false;
    }

    /**
     * The client slot the request came from.
     *
     * @return the slot's index, from 0
     */
    public int clientSlot() {
        return slot;
    }

    /**
     * The request's correlation id ({@code (slot generation << 32) | the client's call counter}).
     *
     * @return the id the response must carry; the client drops responses with any other
     */
    public long correlationId() {
        return id;
    }

    /**
     * Whether this request has been answered (or its answer dropped).
     *
     * @return {@code true} once {@code respond}, {@code commit} or {@code fail} has run for this request
     */
    public boolean answered() {
        return answered;
    }

    /**
     * Copies {@code response} into the client's response ring as the answer.
     *
     * @param response the bytes to copy into the client's response ring
     * @param type the response's message type, {@code >= 1}
     * @return {@code false} if the response was dropped (client gone, replaced, or not reading within the wait)
     * @throws IllegalArgumentException if it is longer than {@link SharedRpc#maxResponseLength()} or {@code type < 1}
     * @throws InterruptedException     if interrupted while waiting for room
     */
    public boolean respond(int type, MemorySegment response) throws InterruptedException {
        Objects.requireNonNull(response, "response");
        MemorySegment room = claim(type, checkedLength(response.byteSize()));
        if (room == null) {
            return false;
        }
        MemorySegment.copy(response, 0, room, 0, response.byteSize());
        commit();
        return true;
    }

    /**
     * {@link #respond(int, MemorySegment)} for a byte array.
     *
     * @param type the response's message type, {@code >= 1}
     * @param response the bytes to copy into the client's response ring
     * @return {@code false} if the response was dropped (client gone, replaced, or not reading within the wait)
     * @throws InterruptedException if the thread is interrupted while waiting for room (noticed within 100 ms)
     */
    public boolean respond(int type, byte[] response) throws InterruptedException {
        return respond(type, MemorySegment.ofArray(response));
    }

    /**
     * Claims room for a response of {@code length} bytes in the client's response ring and returns the writable slice
     * (zero-copy); {@link #commit()} publishes it. Waits for room as described above.
     *
     * @param length the response length in bytes, at most {@link SharedRpc#maxResponseLength()}
     * @param type the response's message type, {@code >= 1}
     * @return the slice, or {@code null} if the response is dropped (nothing to commit then)
     * @throws InterruptedException if the thread is interrupted while waiting for room (noticed within 100 ms)
     */
    public MemorySegment claim(int type, int length) throws InterruptedException {
        requireUnanswered();
        if (type < 1) {
            throw new IllegalArgumentException("type=" + type + " < 1");
        }
        MemorySegment room = service.claimResponse(slot, id, type, RpcDescriptor.STATUS_OK, checkedLength(length));
        if (room == null) {
            answered = true;
            return null;
        }
        claimOpen = true;
        return room;
    }

    /** Publishes the claimed response and wakes the client if it sleeps. */
    public void commit() {
        if (!claimOpen) {
            throw new IllegalStateException("no open response claim: call claim first");
        }
        claimOpen = false;
        answered = true;
        service.commitResponse(slot);
    }

    /**
     * Answers with a failure: the client's call throws {@link RpcFailedException} with {@code message} (cut to fit).
     *
     * @param message what the client's {@link RpcFailedException} says (UTF-8, cut to the largest response)
     * @return {@code false} if the answer was dropped
     * @throws InterruptedException if the thread is interrupted while waiting for room (noticed within 100 ms)
     */
    public boolean fail(String message) throws InterruptedException {
        requireUnanswered();
        byte[] bytes = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, service.maxResponse());
        MemorySegment room = service.claimResponse(slot, id, 1, RpcDescriptor.STATUS_FAILED, length);
        answered = true;
        if (room == null) {
            return false;
        }
        MemorySegment.copy(bytes, 0, room, ValueLayout.JAVA_BYTE, 0, length);
        service.commitResponse(slot);
        return true;
    }

    /** Gives an open claim up (the client gets nothing for it; the service answers with a failure if nothing else). */
    void abortOpenClaim() {
        if (claimOpen) {
            claimOpen = false;
            service.abortResponse(slot);
        }
    }

    private void requireUnanswered() {
        if (answered || claimOpen) {
            throw new IllegalStateException("request " + Long.toHexString(id) + " of client slot " + slot
                    + " is answered already (or its claim is open)");
        }
    }

    private int checkedLength(long length) {
        int max = service.maxResponse();
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("length=" + length + " not in [0, maxResponseLength=" + max + "]");
        }
        return (int) length;
    }
}
