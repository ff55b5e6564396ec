package jipc.internal;

import java.time.Duration;

import jipc.channel.OneToOneChannel;
import jipc.channel.SharedChannel;

/**
 * For {@link JfrEventsTest}, run with {@code --limit-modules java.base}: without {@code jdk.jfr} a consumer's poll
 * sleeps and times out, and the recovery and owner-died hooks run, all without loading an event class. Prints
 * {@code jdk.jfr absent; waited; recovered} on success; exits 1 on failure.
 */
public final class JfrAbsentChild {
    private JfrAbsentChild() {
    }

    public static void main(String[] args) throws Exception {
        if (Jfr.PRESENT || ModuleLayer.boot().findModule("jdk.jfr").isPresent()) {
            System.err.println("jdk.jfr is present: run with --limit-modules java.base");
            System.exit(1);
        }
        StringBuilder out = new StringBuilder("jdk.jfr absent");
        try (SharedChannel shared = SharedChannel.create(args[0], 4096, 64)) {
            OneToOneChannel consumer = OneToOneChannel.attach(shared.mapping().segment());
            int n = consumer.poll((type, payload) -> { }, Duration.ofMillis(150)); // sleeps, times out
            out.append(n == 0 ? "; waited" : "; got " + n);
            Jfr.recovery("the consumer of " + args[0], "taken over from a dead holder", "pid 1", 1);
            Jfr.ownerDied("mutex at 0x0", 1, 1);
            out.append("; recovered");
            consumer.unregisterConsumer();
            shared.unlink();
        }
        System.out.println(out);
    }
}
