package jipc.cli.demo;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import jipc.channel.ChannelDescriptor;
import jipc.channel.OneToOneChannel;
import jipc.channel.SharedChannel;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Narrator;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jipc demo channel}: a producer (this process) sends numbered messages through a jipc channel in POSIX shared
 * memory to a consumer ({@link ChannelDemoChild} in a fresh JVM, given only the channel's name), which checks and
 * prints each one. The channel is removed at the end whatever happens, also on Ctrl-C.
 */
@Command(name = "channel", description = "A producer sends numbered messages to a consumer process through a jipc "
        + "message channel in shared memory; the consumer sleeps in the kernel while the ring is empty.")
public final class ChannelDemo implements Callable<Integer> {
    /** Message type of a numbered message; {@link #END} ends the stream. */
    static final int MESSAGE = 1;
    static final int END = 2;
    private static final long CAPACITY = 64 * 1024;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "5",
            description = "How many messages to send (default: ${DEFAULT-VALUE}).")
    int messages = 5; // also the value when "jipc demo" calls this demo without parsing its options

    @Override
    public Integer call() throws Exception {
        if (messages < 1 || messages > 1_000_000) {
            throw new Failure(ExitCodes.USAGE, "--messages=" + messages + " not in [1, 1000000]");
        }
        Narrator.title("== demo channel: messages through a ring in shared memory ==");
        Narrator parent = Narrator.parent();
        String name = "/jipc-demo-channel-" + ProcessHandle.current().pid();
        SharedChannel shared = SharedChannel.create(name, CAPACITY, 1024);
        try (Demos.Cleanup _ = Demos.atExit("jipc-demo-channel-cleanup", () -> remove(shared))) {
            OneToOneChannel channel = shared.channel();
            parent.say("created channel " + name + " in /dev/shm (mode 0600): a " + CAPACITY + "-byte ring behind a "
                            + "4096-byte header.",
                    "A message is written straight into the ring; no system call carries it.");
            try (ChildProcess child = Spawn.java(ChannelDemoChild.class, name, Integer.toString(messages)).start()) {
                parent.say("posix_spawnp() started consumer pid " + child.pid() + " with the channel's name as its "
                        + "only argument.");
                awaitConsumerAsleep(shared, child);
                parent.say("consumer pid " + child.pid() + " registered and is asleep in FUTEX_WAIT on the header's "
                        + "wake word (its waiting flag is set), using no CPU.");
                for (int i = 1; i <= messages; i++) {
                    byte[] text = ("message " + i + " from producer pid " + ProcessHandle.current().pid())
                            .getBytes(StandardCharsets.UTF_8);
                    if (!channel.put(MESSAGE, text, 0, text.length, Duration.ofSeconds(30))) {
                        throw new Failure(ExitCodes.SOFTWARE, "the ring stayed full for 30 s: the consumer is stuck");
                    }
                    if (i == 1) {
                        parent.say("put message 1 (" + text.length + " bytes): payload and type stored in the ring, "
                                        + "then its length published with a release store;",
                                "the consumer's waiting flag was set, so one FUTEX_WAKE system call woke it.");
                    } else {
                        parent.say("put message " + i + " (" + text.length + " bytes); a wake only if it sleeps again.");
                    }
                }
                channel.put(END, new byte[0], 0, 0, Duration.ofSeconds(30));
                parent.say("put an empty end-of-stream message (type " + END + ").");
                Demos.awaitChild(parent, child);
            }
        }
        parent.say("unlinked " + name + ". Done.");
        return 0;
    }

    /** Waits (at most 30 s) until the consumer has registered and announced that it sleeps on the futex. */
    private static void awaitConsumerAsleep(SharedChannel shared, ChildProcess child) throws IOException {
        MemorySegment header = shared.mapping().segment();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (shared.channel().consumerPid() == 0
                || header.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) == 0) {
            if (!child.isAlive()) {
                throw new Failure(ExitCodes.SOFTWARE, "consumer pid " + child.pid() + " ended before it waited");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new Failure(ExitCodes.SOFTWARE, "consumer pid " + child.pid() + " did not start waiting in 30 s");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Closes and unlinks the channel; reports a failure instead of throwing (it also runs at exit). */
    private static void remove(SharedChannel shared) {
        shared.close();
        try {
            SharedChannel.unlinkIfExists(shared.name());
        } catch (IOException e) {
            System.err.println("jipc demo channel: could not remove " + shared.name() + ": " + e.getMessage()
                    + " (jipc channel rm " + shared.name() + " removes it)");
        }
    }
}
