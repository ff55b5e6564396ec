package jipc.channel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A producer of a {@link ManyToOneChannel} in a child JVM, for {@link ManyProducerProcessTest}. Producer {@code P}
 * sends the {@link Messages} of seed {@code SEED + P} with type {@code P + 1}. Modes:
 * <ul>
 * <li>{@code produce NAME SEED MAX P COUNT}: attaches and puts messages 0..COUNT-1, waiting for room.</li>
 * <li>{@code claim-half NAME SEED MAX P COUNT}: sends messages 0..COUNT-1, then claims message COUNT (its header
 *     now says "claimed by my slot"), writes half of it, prints {@code ready} and blocks forever.</li>
 * <li>{@code claim-no-header NAME SEED MAX P COUNT}: sends messages 0..COUNT-1, then claims message COUNT and stops
 *     right after its compare-and-set of the tail, before writing any header (a test hook): prints {@code ready}
 *     and blocks forever there.</li>
 * <li>{@code hold-slot NAME SEED MAX P 0}: takes a producer slot, prints {@code ready} and blocks forever.</li>
 * <li>{@code claim-until-told NAME SEED MAX P COUNT AFTER}: sends messages 0..COUNT-1, claims message COUNT and
 *     writes it whole, prints {@code ready}, then holds the claim (alive, only slow) until a line or the end of its
 *     standard input arrives; then commits it and sends messages COUNT+1..COUNT+AFTER.</li>
 * </ul>
 * Exit code 0 on success; an AssertionError (exit 1) names the defect.
 */
public final class ManyProducerChild {
    private ManyProducerChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long seed = Long.parseLong(args[2]);
        int max = Integer.parseInt(args[3]);
        int producer = Integer.parseInt(args[4]);
        long count = Long.parseLong(args[5]);
        try (SharedChannel shared = SharedChannel.attach(args[1])) {
            ManyToOneChannel channel = shared.manyToOne();
            produce(channel, seed + producer, max, producer + 1, count);
            switch (mode) {
                case "produce" -> {
                }
                case "claim-half" -> {
                    byte[] message = new byte[max];
                    int length = Messages.fill(message, seed + producer, count, max);
                    MemorySegment slot = channel.claim(producer + 1, length, Duration.ofSeconds(30));
                    if (slot == null) {
                        throw new AssertionError("no room for the half-written message");
                    }
                    MemorySegment.copy(MemorySegment.ofArray(message), 0, slot, 0, length / 2);
                    announceAndBlock();
                }
                case "claim-no-header" -> {
                    ManyToOneChannel.afterClaimBeforeHeader = ManyProducerChild::announceAndBlock;
                    channel.claim(producer + 1, Messages.length(seed + producer, count, max), Duration.ofSeconds(30));
                    throw new AssertionError("the hook returned");
                }
                case "hold-slot" -> {
                    channel.attachProducer();
                    announceAndBlock();
                }
                case "claim-until-told" -> {
                    byte[] message = new byte[max];
                    int length = Messages.fill(message, seed + producer, count, max);
                    MemorySegment slot = channel.claim(producer + 1, length, Duration.ofSeconds(30));
                    if (slot == null) {
                        throw new AssertionError("no room for the held message");
                    }
                    MemorySegment.copy(MemorySegment.ofArray(message), 0, slot, 0, length);
                    System.out.println("ready");
                    System.out.flush();
                    String told = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))
                            .readLine();
                    channel.commit();
                    System.out.println("committed after " + (told == null ? "the end of stdin" : told));
                    long after = Long.parseLong(args[6]);
                    byte[] next = new byte[max];
                    for (long seq = count + 1; seq <= count + after; seq++) {
                        int n = Messages.fill(next, seed + producer, seq, max);
                        if (!channel.put(producer + 1, next, 0, n, Duration.ofSeconds(60))) {
                            throw new AssertionError("no room for message " + seq + " within 60 s");
                        }
                    }
                }
                default -> throw new IllegalArgumentException("mode " + mode);
            }
        }
    }

    private static void announceAndBlock() {
        System.out.println("ready");
        System.out.flush();
        for (;;) {
            LockSupport.park();
        }
    }

    static void produce(ManyToOneChannel channel, long seed, int max, int type, long count)
            throws InterruptedException {
        byte[] message = new byte[max];
        for (long seq = 0; seq < count; seq++) {
            int length = Messages.fill(message, seed, seq, max);
            if (!channel.put(type, message, 0, length, Duration.ofSeconds(60))) {
                throw new AssertionError("no room for message " + seq + " within 60 s");
            }
        }
    }
}
