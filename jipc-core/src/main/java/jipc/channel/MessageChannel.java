package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * What both channel kinds offer, for code that works with either: {@link OneToOneChannel} (one producer) and
 * {@link ManyToOneChannel} (any number of producer processes and threads, each with its own instance). Each method is
 * specified in full on the classes; in short:
 * <ul>
 * <li>producer side: {@link #tryClaim}/{@link #commit}/{@link #abort} (zero-copy), {@link #offer} (copy; a full ring
 * is {@code false}), {@link #claim} and {@link #put} (wait for room with a timeout);</li>
 * <li>consumer side (one consumer): {@link #poll} (batch, zero-copy, optionally waiting), {@link #pollRing} (the
 * same with the message as a place in the ring: no object per message), {@link #take}, and the
 * consumer's role ({@link #registerConsumer()}, {@link #isConsumerAlive()}) so producers can tell a dead
 * consumer from a slow one;</li>
 * <li>a snapshot of the ring: {@link #capacity()}, {@link #headPosition()}, {@link #tailPosition()},
 * {@link #size()}.</li>
 * </ul>
 * The byte layout both kinds share is in {@code docs/channel-format.md}.
 *
 * <p>Any process that maps the segment can write anything into it. Such bytes never make a call read outside the
 * segment or loop without end: corruption found while running (an impossible record length or type, pending head or
 * tail) is a {@link ChannelCorruptedException} naming the field, position and value, from {@code poll},
 * {@code take}, a producer's first claim or {@code registerConsumer}; a forged header is a
 * {@link ChannelFormatException} at attach.
 */
public sealed interface MessageChannel permits OneToOneChannel, ManyToOneChannel {
    /**
     * The ring's size in bytes.
     *
     * @return the ring's capacity in bytes: a power of two, at least 1024, fixed at creation
     */
    long capacity();

    /**
     * The largest payload a message may have.
     *
     * @return the largest payload in bytes, at most an eighth of the capacity less the 8-byte record header
     */
    int maxMessageLength();

    /**
     * Bytes ever published (one producer) or claimed (many producers).
     *
     * @return the tail position in bytes since creation (one load of the header's tail word)
     */
    long tailPosition();

    /**
     * Bytes ever consumed.
     *
     * @return the head position in bytes since creation (one load of the header's head word)
     */
    long headPosition();

    /**
     * Ring bytes in use now (a snapshot).
     *
     * @return tail minus head in bytes, from two loads that other processes may move in between
     */
    long size();

    /**
     * Reserves room for a message and returns its writable payload slice, or {@code null} if the ring is full.
     *
     * @param type the message type, {@code >= 1}
     * @param length the payload length in bytes, from 0 to {@link #maxMessageLength()}
     * @return the payload slice to write into before {@link #commit()}, or {@code null} if the ring has no room now
     */
    MemorySegment tryClaim(int type, int length);

    /** Publishes the claimed message. */
    void commit();

    /**
     * Starts a batch: commits until {@link #endBatch()} publish each message at once but leave the check whether the
     * consumer sleeps (a full fence) to {@code endBatch()}; see {@link RingChannel#beginBatch()}.
     */
    void beginBatch();

    /** Ends the batch: one wake-up check for all its messages; see {@link RingChannel#endBatch()}. */
    void endBatch();

    /** Gives the claimed room back unpublished. */
    void abort();

    /**
     * Copies one message in; {@code false} if the ring is full now.
     *
     * @param type the message type, {@code >= 1}
     * @param payload the bytes to copy, at most {@link #maxMessageLength()} of them
     * @return {@code true} if the message is in the ring, {@code false} if the ring has no room now
     */
    boolean offer(int type, MemorySegment payload);

    /**
     * Copies {@code length} bytes of {@code payload} from {@code offset} in; {@code false} if the ring is full now.
     *
     * @param type the message type, {@code >= 1}
     * @param payload the array holding the message
     * @param offset where the message starts in {@code payload}
     * @param length the message length in bytes, at most {@link #maxMessageLength()}
     * @return {@code true} if the message is in the ring, {@code false} if the ring has no room now
     */
    boolean offer(int type, byte[] payload, int offset, int length);

    /**
     * Copies the buffer's remaining bytes in and consumes them; {@code false} (buffer untouched) if the ring is full.
     *
     * @param type the message type, {@code >= 1}
     * @param payload the buffer whose remaining bytes are the message (heap or direct)
     * @return {@code true} if the message is in the ring, {@code false} if the ring has no room now
     */
    boolean offer(int type, ByteBuffer payload);

    /**
     * {@link #tryClaim} waiting up to {@code timeout} ({@code null}: as long as it takes) for room.
     *
     * @param type the message type, {@code >= 1}
     * @param length the payload length in bytes, from 0 to {@link #maxMessageLength()}
     * @param timeout how long to wait for room; {@code null} waits as long as it takes
     * @return the payload slice to write into before {@link #commit()}, or {@code null} if no room came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    MemorySegment claim(int type, int length, Duration timeout) throws InterruptedException;

    /**
     * {@link #offer(int, MemorySegment)} waiting up to {@code timeout} for room.
     *
     * @param type the message type, {@code >= 1}
     * @param payload the bytes to copy, at most {@link #maxMessageLength()} of them
     * @param timeout how long to wait for room; {@code null} waits as long as it takes
     * @return {@code true} if the message is in the ring, {@code false} if no room came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    boolean put(int type, MemorySegment payload, Duration timeout) throws InterruptedException;

    /**
     * {@link #offer(int, byte[], int, int)} waiting up to {@code timeout} for room.
     *
     * @param type the message type, {@code >= 1}
     * @param payload the array holding the message
     * @param offset where the message starts in {@code payload}
     * @param length the message length in bytes, at most {@link #maxMessageLength()}
     * @param timeout how long to wait for room; {@code null} waits as long as it takes
     * @return {@code true} if the message is in the ring, {@code false} if no room came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    boolean put(int type, byte[] payload, int offset, int length, Duration timeout) throws InterruptedException;

    /**
     * Hands every message available now to {@code handler}; returns how many.
     *
     * @param handler called once per message, in order, with a read-only slice of the ring valid only during the call
     * @return the number of messages handled, {@code 0} if none was there
     */
    int poll(MessageHandler handler);

    /**
     * Hands at most {@code limit} messages available now to {@code handler}.
     *
     * @param handler called once per message, in order, with a read-only slice of the ring valid only during the call
     * @param limit the most messages to hand over (the head is published once, after the last)
     * @return the number of messages handled, {@code 0} if none was there
     */
    int poll(MessageHandler handler, int limit);

    /**
     * Hands at most {@code limit} messages, waiting up to {@code timeout} for the first.
     *
     * @param handler called once per message, in order, with a read-only slice of the ring valid only during the call
     * @param limit the most messages to hand over (the head is published once, after the last)
     * @param timeout how long to wait for the first message; {@code null} waits as long as it takes
     * @return the number of messages handled, {@code 0} if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    int poll(MessageHandler handler, int limit, Duration timeout) throws InterruptedException;

    /**
     * Hands every available message, waiting up to {@code timeout} for the first.
     *
     * @param handler called once per message, in order, with a read-only slice of the ring valid only during the call
     * @param timeout how long to wait for the first message; {@code null} waits as long as it takes
     * @return the number of messages handled, {@code 0} if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    int poll(MessageHandler handler, Duration timeout) throws InterruptedException;

    /**
     * {@link #poll(MessageHandler, int)} with a {@link RingHandler}: each message as its offset and length in the
     * read-only ring (the same segment every time) instead of a slice, so that a message costs no object whatever
     * the compiler inlines.
     *
     * @param handler called once per message, in order, with the ring and the payload's place in it, valid only
     *                during the call
     * @param limit the most messages to hand over (the head is published once, after the last)
     * @return the number of messages handled, {@code 0} if none was there
     */
    int pollRing(RingHandler handler, int limit);

    /**
     * {@link #poll(MessageHandler, int, Duration)} with a {@link RingHandler} (see {@link #pollRing(RingHandler,
     * int)}).
     *
     * @param handler called once per message, in order, with the ring and the payload's place in it, valid only
     *                during the call
     * @param limit the most messages to hand over (the head is published once, after the last)
     * @param timeout how long to wait for the first message; {@code null} waits as long as it takes
     * @return the number of messages handled, {@code 0} if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    int pollRing(RingHandler handler, int limit, Duration timeout) throws InterruptedException;

    /**
     * Waits as long as it takes for one message and hands it to {@code handler}.
     *
     * @param handler called once with the message and a read-only slice of the ring valid only during the call
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    void take(MessageHandler handler) throws InterruptedException;

    /**
     * Whether a record is published at the head now.
     *
     * @return {@code true} if a message is ready to be polled (two loads, no system call)
     */
    boolean hasMessage();

    /**
     * The strategy this instance's blocking calls wait with.
     *
     * @return this instance's wait strategy ({@link WaitStrategy#hybrid()} unless changed)
     */
    WaitStrategy waitStrategy();

    /**
     * Makes this instance's blocking calls wait with {@code strategy}; returns this instance.
     *
     * @param strategy how {@code claim}, {@code put}, {@code poll} with a timeout and {@code take} wait
     * @return this instance
     */
    MessageChannel waitStrategy(WaitStrategy strategy);

    /**
     * Takes the consumer role for this instance (the first poll takes it too); returns this instance. Taking it is one
     * compare-and-set of the header's consumer word, from none or from a consumer whose liveness token says it is
     * dead, so of two consumers started together exactly one wins. A consumer that takes over from one that was killed
     * finishes what that one left undone while giving room back (see {@code docs/channel-format.md}, "Giving room
     * back"). Messages a killed consumer's handler had received before its batch's room was given back are received
     * again; none is lost.
     *
     * @throws jipc.live.RoleTakenException if another consumer (another process, or another instance in this one)
     *         holds the role and is alive or cannot be judged; a {@link ChannelCorruptedException} if the header's
     *         pending head is impossible (a corrupt segment)
     * @return this instance
     */
    MessageChannel registerConsumer();

    /** Gives the consumer role back if this instance holds it. */
    void unregisterConsumer();

    /**
     * The registered consumer's pid in its own pid namespace (display only), {@code 0} if none.
     *
     * @return the pid the consumer recorded when it registered (meaningful only in its pid namespace), {@code 0} if
     *     none
     */
    int consumerPid();

    /**
     * The registered consumer's pid namespace inode (display only), {@code 0} if unknown.
     *
     * @return the inode of the consumer's pid namespace ({@code /proc/PID/ns/pid}), {@code 0} if unknown
     */
    long consumerPidNamespace();

    /**
     * The verdict on the registered consumer, by its liveness token (never a timer, never {@code /proc}).
     *
     * @return a verdict of life {@code NONE} if no consumer is registered, else what its liveness token says (a few
     *     system calls)
     */
    jipc.live.PartyState consumerState();

    /**
     * Whether a registered consumer may still run: alive, or not to be judged from here ({@link #consumerState()}).
     *
     * @return {@code true} if a registered consumer is alive or cannot be judged, {@code false} if none is or it is
     *     dead
     */
    boolean isConsumerAlive();
}
