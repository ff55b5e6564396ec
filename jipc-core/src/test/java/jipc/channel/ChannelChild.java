package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A channel end in a child JVM, for {@link ChannelProcessTest}. Modes:
 * <ul>
 * <li>{@code produce NAME SEED MAX FIRST COUNT}: attaches and puts messages FIRST..FIRST+COUNT-1 (see
 *     {@link Messages}), waiting for room.</li>
 * <li>{@code claim-half NAME SEED MAX COUNT}: sends messages 0..COUNT-1, then claims message COUNT, writes half of it,
 *     prints {@code ready} and blocks forever (to be killed between tryClaim and commit).</li>
 * <li>{@code consume NAME SEED MAX COUNT}: registers as the consumer and receives messages 0..COUNT-1, waiting with
 *     the default (hybrid: spin, then futex) strategy.</li>
 * <li>{@code register NAME}: registers as the consumer, prints {@code ready} and blocks forever.</li>
 * <li>{@code produce-and-hold NAME SEED MAX COUNT}: puts messages 0..COUNT-1, then prints {@code ready} and blocks
 *     forever, holding the producer role.</li>
 * </ul>
 * Exit code 0 on success; an AssertionError (exit 1) names the defect.
 */
public final class ChannelChild {
    private ChannelChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        try (SharedChannel shared = SharedChannel.attach(args[1])) {
            OneToOneChannel channel = shared.channel();
            switch (mode) {
                case "produce" -> produce(channel, Long.parseLong(args[2]), Integer.parseInt(args[3]),
                        Long.parseLong(args[4]), Long.parseLong(args[5]));
                case "claim-half" -> {
                    long seed = Long.parseLong(args[2]);
                    int max = Integer.parseInt(args[3]);
                    long count = Long.parseLong(args[4]);
                    produce(channel, seed, max, 0, count);
                    byte[] message = new byte[max];
                    int length = Messages.fill(message, seed, count, max);
                    // Claim the longest message: the next producer's shorter records then have their length words
                    // inside the bytes written here.
                    MemorySegment slot = channel.claim(Messages.type(count), max, Duration.ofSeconds(30));
                    if (slot == null) {
                        throw new AssertionError("no room for the half-written message");
                    }
                    MemorySegment.copy(MemorySegment.ofArray(message), 0, slot, 0, length / 2);
                    // and the rest of the claim with bytes that would be a huge length word if anyone read them
                    slot.asSlice(length / 2).fill((byte) 0x55);
                    System.out.println("ready");
                    System.out.flush();
                    for (;;) {
                        LockSupport.park();
                    }
                }
                case "consume" -> {
                    channel.registerConsumer();
                    Messages.receive(channel, Long.parseLong(args[2]), 0, Long.parseLong(args[4]),
                            Integer.parseInt(args[3]), Duration.ofSeconds(60));
                }
                case "register" -> {
                    channel.registerConsumer();
                    System.out.println("ready");
                    System.out.flush();
                    for (;;) {
                        LockSupport.park();
                    }
                }
                case "produce-and-hold" -> {
                    produce(channel, Long.parseLong(args[2]), Integer.parseInt(args[3]), 0, Long.parseLong(args[4]));
                    System.out.println("ready");
                    System.out.flush();
                    for (;;) {
                        LockSupport.park();
                    }
                }
                default -> throw new IllegalArgumentException("mode " + mode);
            }
        }
    }

    static void produce(OneToOneChannel channel, long seed, int max, long first, long count)
            throws InterruptedException {
        byte[] message = new byte[max];
        for (long seq = first; seq < first + count; seq++) {
            int length = Messages.fill(message, seed, seq, max);
            if (!channel.put(Messages.type(seq), message, 0, length, Duration.ofSeconds(60))) {
                throw new AssertionError("no room for message " + seq + " within 60 s");
            }
        }
    }
}
