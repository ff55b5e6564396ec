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
 * <li>consumer side (one consumer): {@link #poll} (batch, zero-copy, optionally waiting), {@link #take}, and the
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
    /** The ring's size in bytes. */
    long capacity();

    /** The largest payload a message may have. */
    int maxMessageLength();

    /** Bytes ever published (one producer) or claimed (many producers). */
    long tailPosition();

    /** Bytes ever consumed. */
    long headPosition();

    /** Ring bytes in use now (a snapshot). */
    long size();

    /** Reserves room for a message and returns its writable payload slice, or {@code null} if the ring is full. */
    MemorySegment tryClaim(int type, int length);

    /** Publishes the claimed message. */
    void commit();

    /** Gives the claimed room back unpublished. */
    void abort();

    /** Copies one message in; {@code false} if the ring is full now. */
    boolean offer(int type, MemorySegment payload);

    /** Copies {@code length} bytes of {@code payload} from {@code offset} in; {@code false} if the ring is full now. */
    boolean offer(int type, byte[] payload, int offset, int length);

    /** Copies the buffer's remaining bytes in and consumes them; {@code false} (buffer untouched) if the ring is full. */
    boolean offer(int type, ByteBuffer payload);

    /** {@link #tryClaim} waiting up to {@code timeout} ({@code null}: as long as it takes) for room. */
    MemorySegment claim(int type, int length, Duration timeout) throws InterruptedException;

    /** {@link #offer(int, MemorySegment)} waiting up to {@code timeout} for room. */
    boolean put(int type, MemorySegment payload, Duration timeout) throws InterruptedException;

    /** {@link #offer(int, byte[], int, int)} waiting up to {@code timeout} for room. */
    boolean put(int type, byte[] payload, int offset, int length, Duration timeout) throws InterruptedException;

    /** Hands every message available now to {@code handler}; returns how many. */
    int poll(MessageHandler handler);

    /** Hands at most {@code limit} messages available now to {@code handler}. */
    int poll(MessageHandler handler, int limit);

    /** Hands at most {@code limit} messages, waiting up to {@code timeout} for the first. */
    int poll(MessageHandler handler, int limit, Duration timeout) throws InterruptedException;

    /** Hands every available message, waiting up to {@code timeout} for the first. */
    int poll(MessageHandler handler, Duration timeout) throws InterruptedException;

    /** Waits as long as it takes for one message and hands it to {@code handler}. */
    void take(MessageHandler handler) throws InterruptedException;

    /** Whether a record is published at the head now. */
    boolean hasMessage();

    /** The strategy this instance's blocking calls wait with. */
    WaitStrategy waitStrategy();

    /** Makes this instance's blocking calls wait with {@code strategy}; returns this instance. */
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
     */
    MessageChannel registerConsumer();

    /** Gives the consumer role back if this instance holds it. */
    void unregisterConsumer();

    /** The registered consumer's pid in its own pid namespace (display only), {@code 0} if none. */
    int consumerPid();

    /** The registered consumer's pid namespace inode (display only), {@code 0} if unknown. */
    long consumerPidNamespace();

    /** The verdict on the registered consumer, by its liveness token (never a timer, never {@code /proc}). */
    jipc.live.PartyState consumerState();

    /** Whether a registered consumer may still run: alive, or not to be judged from here ({@link #consumerState()}). */
    boolean isConsumerAlive();
}
