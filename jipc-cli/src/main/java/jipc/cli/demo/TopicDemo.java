package jipc.cli.demo;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Narrator;
import jipc.live.Liveness;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.topic.OverflowPolicy;
import jipc.topic.SharedTopic;
import jipc.topic.SubscriberInfo;
import jipc.topic.Topic;
import jipc.topic.TopicDescriptor;
import jipc.topic.TopicPublisher;
import picocli.CommandLine.Command;

/**
 * {@code jipc demo topic}: one publisher (this process) and three subscriber processes ({@link TopicDemoChild}) on a
 * BLOCK topic with a 1 KiB ring. A and B subscribe first; B stops reading after three messages, so the publisher
 * fills the ring and {@code offer} says no; C joins late with history and gets the last messages still in the ring;
 * then the publisher waits in {@code put} and B is killed with SIGKILL: the publisher judges it dead by its liveness
 * token within one wait slice and goes on. Ends with a {@code stat}-like table. The topic is removed at the end
 * whatever happens, also on Ctrl-C.
 */
@Command(name = "topic", description = "One publisher and three subscriber processes on a topic in shared memory: "
        + "every subscriber reads every message; a stuck subscriber holds the BLOCK publisher back until it is killed, "
        + "and the publisher goes on within one wait slice; a late subscriber asks for history.")
public final class TopicDemo implements Callable<Integer> {
    /** Message type of a numbered message; {@link #END} ends the stream (as {@code jipc topic pub} does). */
    static final int MESSAGE = 1;
    static final int END = 2;
    private static final long CAPACITY = 1024;
    private static final int MAX_MESSAGE = 112;
    private static final int STALL_AFTER = 3;
    private static final int HISTORY = 5;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final long start = System.currentTimeMillis();
    private Narrator publisherSays;
    private long messages;

    /** {@code "  1.234 s  "}: the time since the demo started, the same clock in every process. */
    static String at(long startMillis) {
        return String.format(Locale.ROOT, "%6.3f s  ", (System.currentTimeMillis() - startMillis) / 1000.0);
    }

    @Override
    public Integer call() throws Exception {
        Narrator.title("== demo topic: one publisher, three subscribers, one ring in shared memory ==");
        publisherSays = Narrator.of("publisher");
        String name = "/jipc-demo-topic-" + ProcessHandle.current().pid();
        SharedTopic shared = SharedTopic.create(name, CAPACITY, MAX_MESSAGE, OverflowPolicy.BLOCK);
        List<ChildProcess> children = new ArrayList<>();
        List<Long> parties = new ArrayList<>();
        try (Demos.Cleanup _ = Demos.atExit("jipc-demo-topic-cleanup", () -> remove(shared, children))) {
            Topic topic = shared.topic();
            say("created topic " + name + " in /dev/shm (mode 0600): a " + CAPACITY + "-byte ring behind a "
                    + TopicDescriptor.HEADER_LENGTH + "-byte header with 64 subscriber slots; policy BLOCK:",
                    "the publisher never overwrites a message a live subscriber has not read.");
            try (TopicPublisher publisher = topic.publisher()) {
                say("took the publisher role (one compare-and-set of the header's publisher word).");
                ChildProcess a = start(name, "A", 0, 0, children);
                ChildProcess b = start(name, "B", 0, STALL_AFTER, children);
                say("posix_spawnp() started subscriber A (pid " + a.pid() + ") and subscriber B (pid " + b.pid()
                        + "), given only the topic's name.");
                await(topic, "A and B to take their slots and fall asleep", children,
                        subs -> subs.size() == 2 && subs.stream().allMatch(s -> s.cursor() >= 0 && s.sleeping()));
                topic.subscribers().forEach(s -> parties.add(s.party()));
                say("A and B hold a slot each and sleep in FUTEX_WAIT on the topic's one wake word, using no CPU.");

                for (int i = 0; i < STALL_AFTER; i++) {
                    put(publisher, MESSAGE, text(++messages));
                }
                say("published messages 1 to " + STALL_AFTER + ": each written once into the ring, whatever the "
                        + "number of subscribers;", "one FUTEX_WAKE per message wakes every subscriber that sleeps.");
                await(topic, "B to read " + STALL_AFTER + " messages", children,
                        subs -> subs.stream().anyMatch(s -> s.pid() == b.pid() && s.received() == STALL_AFTER));

                long first = messages + 1;
                for (;;) {
                    if (publisher.offer(MESSAGE, segment(text(messages + 1)))) {
                        messages++;
                    } else if (info(topic, a).lagBytes() == 0) {
                        break; // A has read everything: it is B that leaves no room
                    } else {
                        await(topic, "A to read what is published", children,
                                subs -> subs.stream().anyMatch(s -> s.pid() == a.pid() && s.lagBytes() == 0));
                    }
                }
                SubscriberInfo slowB = info(topic, b);
                say("published messages " + first + " to " + messages + " without waiting; offer() of message "
                        + (messages + 1) + " returned false:", "B (slot " + slowB.slot() + ", alive) is "
                        + slowB.lagBytes() + " bytes behind the tail: one more record and the look-ahead header would "
                        + "overwrite the message B reads next.");

                long beforeC = messages;
                ChildProcess c = start(name, "C", HISTORY, 0, children);
                say("started subscriber C (pid " + c.pid() + ") late, with history " + HISTORY
                        + ": it starts at the last " + HISTORY + " messages still in the ring.");
                await(topic, "C to read its history", children,
                        subs -> subs.stream().anyMatch(s -> s.pid() == c.pid() && s.received() == HISTORY));
                topic.subscribers().stream().filter(s -> s.pid() == c.pid()).forEach(s -> parties.add(s.party()));

                killWhileWaiting(shared, publisher, b);

                for (int i = 0; i < 2; i++) {
                    put(publisher, MESSAGE, text(++messages));
                }
                say("published messages " + (messages - 1) + " and " + messages + ".");
                long total = messages;
                long forC = HISTORY + total - beforeC;
                await(topic, "A and C to read every message", children, subs -> subs.stream()
                        .filter(s -> s.lagBytes() == 0 && (s.pid() == a.pid() && s.received() == total
                                || s.pid() == c.pid() && s.received() == forC))
                        .count() == 2);
                table(topic, Map.of((long) a.pid(), "A", (long) b.pid(), "B", (long) c.pid(), "C"));

                put(publisher, END, new byte[0]);
                say("published an empty end-of-stream message (type " + END + ").");
                Demos.awaitChild(publisherSays, a);
                Demos.awaitChild(publisherSays, c);
            }
            for (long party : parties) {
                Liveness.removeDeadToken(party); // a process never removes its own token: who outlives it does
            }
            say("gave the publisher role back; removed the liveness tokens A, B and C left behind.");
        }
        say("unlinked " + name + ". Done.");
        return 0;
    }

    /**
     * The publisher puts the next message into the full ring and sleeps; a second thread sees it asleep (its waiting
     * flag in the header) and kills B. B's slot still holds it back until the publisher, at the end of a wait slice
     * of at most 100 ms, judges B's liveness token: dead, so it drops B's slot and writes.
     */
    private void killWhileWaiting(SharedTopic shared, TopicPublisher publisher, ChildProcess b) throws Exception {
        MemorySegment header = shared.mapping().segment();
        AtomicLong killedAt = new AtomicLong();
        AtomicBoolean putReturned = new AtomicBoolean();
        Thread killer = Thread.ofVirtual().start(() -> {
            while (header.get(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_WAITING_OFFSET) == 0) {
                if (putReturned.get()) {
                    return; // it found room without waiting: nothing to show
                }
                LockSupport.parkNanos(200_000);
            }
            try {
                say("the publisher is asleep in FUTEX_WAIT for room (its waiting flag is set): sending SIGKILL to B "
                        + "(pid " + b.pid() + ").");
                killedAt.set(System.nanoTime());
                b.destroyForcibly();
            } catch (IOException e) {
                say("could not kill B: " + e.getMessage());
            }
        });
        long before = System.nanoTime();
        try {
            put(publisher, MESSAGE, text(++messages));
        } finally {
            putReturned.set(true);
        }
        long after = System.nanoTime();
        killer.join();
        if (killedAt.get() == 0) {
            throw new Failure(ExitCodes.SOFTWARE, "the publisher found room without waiting for B");
        }
        say("put() of message " + messages + " returned " + millis(after - killedAt.get()) + " after the SIGKILL ("
                + millis(after - before) + " in all): the kernel dropped B's token lock as B ended, and at the end",
                "of its wait slice (at most 100 ms) the publisher judged B dead by it, freed B's slot and wrote.");
        ExitStatus status = b.waitFor();
        say("B (pid " + b.pid() + ") ended: " + status + ".");
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /** The stat-like table: the header's positions, the publisher, one row per occupied slot. */
    private void table(Topic topic, Map<Long, String> labels) {
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "policy %s, capacity %d, tail %d, oldest %d, next sequence %d; publisher "
                        + "pid %d (%s)", topic.policy().name().toLowerCase(Locale.ROOT), topic.capacity(),
                topic.tailPosition(), topic.oldestPosition(), topic.nextSequence(), topic.publisherPid(),
                topic.publisherState().word()));
        rows.add(String.format(Locale.ROOT, "%-4s %-4s %8s %-6s %7s %5s %9s %5s %s", "SLOT", "WHO", "PID", "STATE",
                "CURSOR", "LAG", "RECEIVED", "LOST", "SLEEPING"));
        for (SubscriberInfo s : topic.subscribers()) {
            rows.add(String.format(Locale.ROOT, "%4d %-4s %8d %-6s %7d %5d %9d %5d %s", s.slot(),
                    labels.getOrDefault((long) s.pid(), "?"), s.pid(), s.state().word(), s.cursor(), s.lagBytes(),
                    s.received(), s.lost(), s.sleeping() ? "yes" : "no"));
        }
        say("what 'jipc topic stat' shows now (B's slot is free again: the publisher dropped it):",
                rows.toArray(String[]::new));
    }

    private ChildProcess start(String name, String label, int history, int stallAfter, List<ChildProcess> children)
            throws IOException {
        ChildProcess child = Spawn.java(TopicDemoChild.class, name, label, Integer.toString(history),
                Integer.toString(stallAfter), Long.toString(start)).start();
        children.add(child);
        return child;
    }

    private static SubscriberInfo info(Topic topic, ChildProcess child) {
        return topic.subscribers().stream().filter(s -> s.pid() == child.pid()).findFirst()
                .orElseThrow(() -> new Failure(ExitCodes.SOFTWARE, "subscriber pid " + child.pid() + " holds no slot"));
    }

    /** Waits (at most 30 s) until {@code condition} holds for the occupied slots; fails if a child ends first. */
    private static void await(Topic topic, String what, List<ChildProcess> children,
                              Predicate<List<SubscriberInfo>> condition) throws IOException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.test(topic.subscribers())) {
            for (ChildProcess child : children) {
                if (child.exitStatus().isEmpty() && !child.isAlive()) {
                    throw new Failure(ExitCodes.SOFTWARE, "subscriber pid " + child.pid() + " ended while waiting for "
                            + what);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new Failure(ExitCodes.SOFTWARE, "waited 30 s for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void put(TopicPublisher publisher, int type, byte[] payload) throws InterruptedException {
        if (!publisher.put(type, segment(payload), PATIENCE)) {
            throw new Failure(ExitCodes.SOFTWARE, "the ring stayed full for 30 s: a subscriber is stuck");
        }
    }

    private static byte[] text(long number) {
        return ("message " + number + " from publisher pid " + ProcessHandle.current().pid())
                .getBytes(StandardCharsets.UTF_8);
    }

    private static MemorySegment segment(byte[] bytes) {
        return MemorySegment.ofArray(bytes);
    }

    private void say(String first, String... more) {
        publisherSays.say(at(start) + first, more);
    }

    /** Kills what still runs, closes and unlinks the topic; reports a failure instead of throwing (runs at exit). */
    private static void remove(SharedTopic shared, List<ChildProcess> children) {
        for (ChildProcess child : children) {
            try {
                child.close();
            } catch (IOException e) {
                System.err.println("jipc demo topic: could not stop pid " + child.pid() + ": " + e.getMessage());
            }
        }
        shared.close();
        try {
            SharedTopic.unlinkIfExists(shared.name());
        } catch (IOException e) {
            System.err.println("jipc demo topic: could not remove " + shared.name() + ": " + e.getMessage()
                    + " (jipc topic rm " + shared.name() + " removes it)");
        }
    }
}
