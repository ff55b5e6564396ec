package jipc.channel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jipc.live.LivenessToken;
import jipc.live.RoleTakenException;

/**
 * The Java twin of {@code src/test/c/role_peer.c} for {@link ExclusiveEndsTest}: a child JVM that takes the consumer
 * role or the producer role of the one-producer channel {@code NAME}. Modes:
 * <ul>
 * <li>{@code contend NAME}: makes this JVM's token, prints {@code ready}, then follows commands on stdin, one a
 *     line: {@code ROLE T} (a fresh instance on the same mapping; spin until {@link System#nanoTime()}, which is
 *     {@code CLOCK_MONOTONIC} on Linux, reads {@code T}; take {@code ROLE}; print {@code won} or {@code busy
 *     MESSAGE} for a {@link RoleTakenException}); {@code give} (give the last instance's role back, print
 *     {@code given}). Ends at EOF.</li>
 * <li>{@code hold ROLE NAME}: takes {@code ROLE}, prints {@code holding TOKEN_PATH} and keeps it (at most 120 s): a
 *     consumer sleeps, a producer fills the ring and then waits for room in {@code put}, with bit 63 of the
 *     producers-waiting set on once it sleeps in the futex.</li>
 * <li>{@code take ROLE NAME}: takes {@code ROLE} once: prints {@code won} and gives it back, or {@code busy
 *     MESSAGE}.</li>
 * </ul>
 */
public final class RoleChild {
    private RoleChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        switch (mode) {
            case "contend" -> contend(args[1]);
            case "hold" -> hold(args[1], args[2]);
            case "take" -> take(args[1], args[2]);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private static void contend(String name) throws Exception {
        try (SharedChannel shared = SharedChannel.attach(name)) {
            MemorySegment segment = shared.mapping().segment();
            LivenessToken.standard(); // now, so that a round costs only the compare-and-set and the verdicts
            say("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            OneToOneChannel channel = null;
            boolean consumer = true;
            for (String line; (line = in.readLine()) != null; ) {
                String[] words = line.trim().split(" ");
                if (words[0].equals("give")) {
                    give(channel, consumer);
                    say("given");
                    continue;
                }
                consumer = isConsumer(words[0]);
                long start = Long.parseLong(words[1]);
                channel = OneToOneChannel.attach(segment);
                while (System.nanoTime() - start < 0) {
                    Thread.onSpinWait(); // both contenders leave this loop within microseconds of each other
                }
                say(take(channel, consumer));
            }
        }
    }

    private static void hold(String role, String name) throws Exception {
        boolean consumer = isConsumer(role);
        try (SharedChannel shared = SharedChannel.attach(name)) {
            // on the mapping, as the other modes: its parties then come from the standard token, whose path it prints
            OneToOneChannel channel = OneToOneChannel.attach(shared.mapping().segment());
            String result = take(channel, consumer);
            if (!result.equals("won")) {
                say(result);
                System.exit(1);
            }
            byte[] payload = new byte[64];
            if (!consumer) {
                while (channel.offer(1, payload, 0, payload.length)) {
                    // fill the ring: nobody consumes
                }
            }
            say("holding " + LivenessToken.standard().path());
            if (consumer) {
                Thread.sleep(120_000);
            } else {
                channel.put(1, payload, 0, payload.length, Duration.ofSeconds(120));
            }
        }
    }

    private static void take(String role, String name) throws Exception {
        boolean consumer = isConsumer(role);
        try (SharedChannel shared = SharedChannel.attach(name)) {
            OneToOneChannel channel = OneToOneChannel.attach(shared.mapping().segment());
            say(take(channel, consumer));
            give(channel, consumer);
        }
    }

    private static String take(OneToOneChannel channel, boolean consumer) {
        try {
            if (consumer) {
                channel.registerConsumer();
            } else {
                channel.attachProducer();
            }
            return "won";
        } catch (RoleTakenException e) {
            return "busy " + e.getMessage();
        }
    }

    private static void give(OneToOneChannel channel, boolean consumer) {
        if (channel == null) {
            return;
        }
        if (consumer) {
            channel.unregisterConsumer();
        } else {
            channel.detachProducer();
        }
    }

    private static boolean isConsumer(String role) {
        return switch (role) {
            case "consumer" -> true;
            case "producer" -> false;
            default -> throw new IllegalArgumentException("unknown role " + role);
        };
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
