package jipc.fault;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import jipc.channel.MessageChannel;
import jipc.channel.SharedChannel;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;

/**
 * A channel end in a child JVM that stops at a chosen point and waits there to be killed, for the channel rows of
 * the fault matrix. The channel's kind (one or many producers) is read from its header. Producer {@code P},
 * incarnation {@code I}, sends the {@link FaultMessages} {@code 0, 1, 2...} of (P, I) and prints
 * {@code committed SEQ} after each commit. Modes:
 * <ul>
 * <li>{@code produce NAME MAX P I COUNT POINT}: sends COUNT messages, then stops at POINT and prints {@code ready}:
 *     {@code idle} (before the next claim), {@code claimed} (after tryClaim of message COUNT, nothing written),
 *     {@code written} (its whole payload written, not committed); or {@code blocked-put}: sends until a put blocks on
 *     the full ring, and stays blocked there (COUNT is ignored).</li>
 * <li>{@code take NAME MAX}: registers as the consumer, takes messages one by one forever, printing
 *     {@code took P I SEQ} for each (checked whole).</li>
 * <li>{@code take-then-park NAME MAX COUNT}: registers, takes COUNT messages, prints {@code parked} and parks without
 *     consuming more.</li>
 * <li>{@code soak NAME MAX P I COUNTERS SLOT}: sends messages 0, 1, 2... of (P, I) for ever (even ones built in the
 *     claimed slice, odd ones copied in by put), and after each commit
 *     stores the number of messages committed (release) in the long at {@code 8 * SLOT} of the shared memory object
 *     COUNTERS, for {@link ChannelSoakTest}.</li>
 * </ul>
 * The test kills it with SIGKILL once it printed what the test waits for.
 */
public final class ChannelFaultChild {
    private static final VarHandle COMMITTED = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private ChannelFaultChild() {
    }

    public static void main(String[] args) throws Exception {
        if (Boolean.getBoolean("jipc.fault.virtual")) {
            // the same role on a virtual thread: its waits park instead of sleeping in the kernel
            Throwable[] failure = new Throwable[1];
            Thread.ofVirtual().start(() -> {
                try {
                    run(args);
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }).join();
            if (failure[0] instanceof Exception e) {
                throw e;
            }
            if (failure[0] instanceof Error e) {
                throw e;
            }
            return;
        }
        run(args);
    }

    private static void run(String[] args) throws Exception {
        String mode = args[0];
        int max = Integer.parseInt(args[2]);
        try (SharedChannel shared = SharedChannel.attach(args[1])) {
            MessageChannel channel = shared.messageChannel();
            switch (mode) {
                case "produce" -> produce(channel, max, Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                        Long.parseLong(args[5]), args[6]);
                case "soak" -> soak(channel, max, Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5],
                        Integer.parseInt(args[6]));
                case "take" -> take(channel.registerConsumer(), max, Long.MAX_VALUE);
                case "take-then-park" -> {
                    take(channel.registerConsumer(), max, Long.parseLong(args[3]));
                    announceAndPark("parked");
                }
                default -> throw new IllegalArgumentException("mode " + mode);
            }
        }
    }

    private static void produce(MessageChannel channel, int max, int producer, int incarnation, long count,
                                String point) throws InterruptedException {
        MemorySegment message = Arena.ofAuto().allocate(max);
        for (long seq = 0; point.equals("blocked-put") || seq < count; seq++) {
            int length = FaultMessages.fill(message, producer, incarnation, seq, max);
            if (!channel.put(FaultMessages.type(producer), message.asSlice(0, length), Duration.ofSeconds(60))) {
                throw new AssertionError("no room for message " + seq + " within 60 s");
            }
            System.out.println("committed " + seq);
            System.out.flush();
        }
        int length = FaultMessages.fill(message, producer, incarnation, count, max);
        switch (point) {
            case "idle" -> {
            }
            case "claimed", "written" -> {
                MemorySegment slot = channel.claim(FaultMessages.type(producer), length, Duration.ofSeconds(60));
                if (slot == null) {
                    throw new AssertionError("no room for message " + count + " within 60 s");
                }
                if (point.equals("written")) {
                    MemorySegment.copy(message, 0, slot, 0, length);
                }
            }
            default -> throw new IllegalArgumentException("point " + point);
        }
        announceAndPark("ready");
    }

    private static void soak(MessageChannel channel, int max, int producer, int incarnation, String counters,
                             int slot) throws Exception {
        try (PosixSharedMemory shm = PosixSharedMemory.open(counters); Mapping mapping = shm.map()) {
            MemorySegment committed = mapping.segment().asSlice(8L * slot, 8);
            MemorySegment message = Arena.ofAuto().allocate(max);
            for (long seq = 0; ; seq++) {
                if ((seq & 1) == 0) {
                    // zero-copy: the message is built inside the claim, so kills land mid-claim often
                    int length = FaultMessages.length(producer, incarnation, seq, max);
                    MemorySegment claimed = channel.claim(FaultMessages.type(producer), length,
                            Duration.ofSeconds(60));
                    if (claimed == null) {
                        throw new AssertionError("no room for message " + seq + " within 60 s");
                    }
                    FaultMessages.fill(claimed, producer, incarnation, seq, max);
                    channel.commit();
                } else {
                    int length = FaultMessages.fill(message, producer, incarnation, seq, max);
                    if (!channel.put(FaultMessages.type(producer), message.asSlice(0, length),
                            Duration.ofSeconds(60))) {
                        throw new AssertionError("no room for message " + seq + " within 60 s");
                    }
                }
                COMMITTED.setRelease(committed, 0L, seq + 1);
            }
        }
    }

    private static void take(MessageChannel channel, int max, long count) throws InterruptedException {
        for (long n = 0; n < count; n++) {
            channel.take((type, payload) -> {
                FaultMessages.Id id = FaultMessages.check(type, payload, max);
                System.out.println("took " + id.producer() + " " + id.incarnation() + " " + id.seq());
                System.out.flush();
            });
        }
    }

    static void announceAndPark(String line) {
        System.out.println(line);
        System.out.flush();
        for (;;) {
            LockSupport.park();
        }
    }
}
