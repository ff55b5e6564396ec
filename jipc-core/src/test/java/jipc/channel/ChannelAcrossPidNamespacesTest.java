package jipc.channel;

import static jipc.testing.PidNamespace.java;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.channel.ManyProducerProcessTest.Receiver;
import jipc.live.Liveness;
import jipc.live.PartyState;
import jipc.live.RoleTakenException;
import jipc.pipe.Pipe;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Kernel;
import jipc.testing.PidNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Channel ends in other pid namespaces ({@link PidNamespace}: containers of one pod, sharing {@code /dev/shm}), judged
 * from this one: a consumer there is alive and exclusive until it is killed, and its successor here finishes its
 * give-back; a producer killed there mid-claim is skipped while a slow one elsewhere is waited for; and every verdict
 * comes from the party's liveness token, never from what its recorded pid names here.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChannelAcrossPidNamespacesTest {
    private static final long SEED = 0x5EED_0F_C0DEL;

    private String name;

    @BeforeEach
    void name() throws IOException {
        PidNamespace.assumeAvailable();
        name = "/jipc-pidns-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        if (name != null) {
            SharedChannel.unlinkIfExists(name);
        }
    }

    /** The producer slot held by the process {@code ns} runs, as the consumer sees it. */
    private static ManyToOneChannel.Producer producerIn(ManyToOneChannel channel, PidNamespace ns) {
        List<ManyToOneChannel.Producer> mine = channel.producers().stream()
                .filter(p -> p.pidNamespace() == ns.inode()).toList();
        assertEquals(1, mine.size(), "producer slots of " + ns + ": " + channel.producers());
        return mine.getFirst();
    }

    @ParameterizedTest(name = "many producers: {0}")
    @ValueSource(booleans = {false, true})
    void consumerInAnotherNamespaceIsAliveAndExclusiveUntilKilledThenItsSuccessorHereFinishesItsGiveBack(
            boolean many) throws Exception {
        int max = 1000;
        long total = 3000;
        long count = 1000;
        int batch = 40;
        try (SharedChannel shared = many ? SharedChannel.createManyToOne(name, 64 * 1024, max)
                : SharedChannel.create(name, 64 * 1024, max)) {
            MessageChannel channel = shared.messageChannel();
            // A producer here; it blocks on the full ring while the consumer elsewhere stops consuming.
            Future<Void> producer = Background.run("producer", () -> {
                try (SharedChannel attached = SharedChannel.attach(name)) {
                    MessageChannel out = attached.messageChannel();
                    byte[] message = new byte[max];
                    for (long seq = 0; seq < total; seq++) {
                        int length = Messages.fill(message, SEED, seq, max);
                        if (!out.put(Messages.type(seq), message, 0, length, Duration.ofSeconds(60))) {
                            throw new AssertionError("no room for message " + seq + " within 60 s");
                        }
                    }
                }
            });
            long head;
            long pending;
            try (PidNamespace b = PidNamespace.start(java(ConsumerCrashChild.class, "die-giving-back", name, SEED,
                    max, count, batch))) {
                // The consumer in B received 1000 messages and stopped in the middle of giving 40 more back.
                String[] ready = b.awaitLine("ready ", Duration.ofSeconds(90)).split(" ");
                head = Long.parseLong(ready[1]);
                pending = Long.parseLong(ready[2]);
                assertEquals(b.namespacePid(), channel.consumerPid(), "recorded as B sees it");
                assertEquals(b.inode(), channel.consumerPidNamespace());
                assertNotEquals(PidNamespace.ownNamespaceInode(), channel.consumerPidNamespace());

                PartyState alive = channel.consumerState();
                assertEquals(PartyState.Life.ALIVE, alive.life(), alive.reason());
                assertTrue(alive.reason().endsWith(" is locked"), alive.reason());
                assertTrue(channel.isConsumerAlive());

                RoleTakenException taken = assertThrows(RoleTakenException.class, channel::registerConsumer);
                assertEquals("the consumer of channel " + name, taken.role());
                assertEquals(PartyState.Life.ALIVE, taken.holderState().life());
                assertTrue(taken.getMessage().contains("pid " + b.namespacePid() + " in another pid namespace ("
                        + b.inode() + ") is alive"), taken.getMessage());
                assertFalse(((RingChannel) channel).isRegisteredConsumer());
                assertEquals(head, channel.headPosition(), "the refused consumer touched nothing");

                b.kill();
                PartyState dead = channel.consumerState();
                assertEquals(PartyState.Life.DEAD, dead.life(), dead.reason());
                assertTrue(dead.reason().startsWith("its token "), dead.reason()); // not locked, or removed since
                assertFalse(channel.isConsumerAlive());
                assertEquals(head, channel.headPosition(), "the dead consumer never published its head");
                assertEquals(pending, shared.mapping().segment().get(ValueLayout.JAVA_LONG,
                        ChannelDescriptor.PENDING_HEAD_OFFSET));
            }
            channel.registerConsumer();
            assertEquals(pending, channel.headPosition(), "registering here finished B's give-back");
            assertEquals(Liveness.selfPid(), channel.consumerPid());
            PartyState mine = channel.consumerState();
            assertEquals(PartyState.Life.ALIVE, mine.life(), mine.reason());
            Messages.receive(channel, SEED, count + batch, total - count - batch, max, Duration.ofSeconds(60));
            producer.get(60, TimeUnit.SECONDS);
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    @Test
    void producerInAnotherNamespaceIsExclusiveUntilKilledThenAProducerHereGoesOnWhereItStopped() throws Exception {
        int max = 200;
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, max);
             PidNamespace b = PidNamespace.start(java(ChannelChild.class, "produce-and-hold", name, SEED, max, 100))) {
            OneToOneChannel channel = shared.channel().registerConsumer();
            b.awaitLine("ready", Duration.ofSeconds(90));
            PartyState alive = channel.producerState();
            assertEquals(PartyState.Life.ALIVE, alive.life(), alive.reason());
            assertEquals(b.namespacePid(), channel.producerPid());
            RoleTakenException taken = assertThrows(RoleTakenException.class, channel::attachProducer);
            assertEquals("the producer of channel " + name, taken.role());
            assertTrue(taken.getMessage().contains("pid " + b.namespacePid() + " in another pid namespace ("
                    + b.inode() + ") is alive"), taken.getMessage());
            assertThrows(RoleTakenException.class, () -> channel.offer(1, new byte[1], 0, 1),
                    "the first claim takes the role, and is refused too");
            Messages.receive(channel, SEED, 0, 100, max, Duration.ofSeconds(30));

            b.kill();
            assertTrue(channel.producerState().isDead(), channel.producerState().reason());
            channel.attachProducer();
            ChannelChild.produce(channel, SEED, max, 100, 100);
            Messages.receive(channel, SEED, 100, 100, max, Duration.ofSeconds(30));
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    @Test
    void consumerWaitsForASlowProducerInOneNamespaceAndSkipsTheClaimOfAProducerKilledInAnother() throws Exception {
        int max = 400;
        long before = 1000;
        long after = 1000;
        long seed = ManyProducerProcessTest.SEED; // what the Receiver checks against
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 1024 * 1024, max);
             PidNamespace dying = PidNamespace.start(java(ManyProducerChild.class, "claim-half", name, seed, max, 0,
                     before))) {
            ManyToOneChannel channel = shared.manyToOne().registerConsumer();
            Receiver receiver = new Receiver(2, max);
            // 1. producer 0, in namespace B, sends 1000 messages, claims the next one and writes half of it
            receiver.receiveUntil(channel, Duration.ofSeconds(90),
                    () -> receiver.next[0] == before && dying.capture().outSoFar().contains("ready"));
            assertEquals(0, channel.poll(receiver, Duration.ofMillis(100)), "(a padding record, if it wrapped)");
            long deadClaim = channel.headPosition();
            ManyToOneChannel.Producer doomed = producerIn(channel, dying);
            assertEquals(deadClaim, doomed.claimPosition());
            assertEquals(dying.namespacePid(), doomed.pid());
            try (Pipe tell = Pipe.open();
                 PidNamespace slow = PidNamespace.start(java(ManyProducerChild.class, "claim-until-told", name,
                         seed, max, 1, before, after), 0, tell.source())) {
                // 2. producer 1, in namespace C, sends 1000 messages behind that claim, then claims one more and
                //    holds it (alive, slow) until told
                slow.awaitLine("ready", Duration.ofSeconds(90));
                ManyToOneChannel.Producer holding = producerIn(channel, slow);
                long slowClaim = holding.claimPosition();
                assertTrue(slowClaim > deadClaim, "producer 1 claimed after producer 0");
                assertEquals(PartyState.Life.ALIVE, holding.state().life(), holding.state().reason());
                // 3. both alive: nothing passes producer 0's open claim
                ManyProducerProcessTest.assertNothingSkippedFor(channel, receiver, Duration.ofMillis(500), deadClaim);
                assertEquals(0, receiver.next[1]);

                // 4. producer 0 is killed mid-claim: its claim is skipped, producer 1's 1000 messages arrive, and
                //    the consumer then waits at producer 1's claim for as long as it is held
                dying.kill();
                assertTrue(producerIn(channel, dying).state().isDead(), producerIn(channel, dying).toString());
                receiver.receiveUntil(channel, Duration.ofSeconds(30), () -> receiver.next[1] == before);
                Await.until(Duration.ofSeconds(30), "the consumer to reach producer 1's claim", () -> {
                    channel.poll(receiver, Duration.ofMillis(20));
                    return channel.headPosition() == slowClaim;
                });
                ManyProducerProcessTest.assertNothingSkippedFor(channel, receiver, Duration.ofSeconds(2), slowClaim);
                assertEquals(before, receiver.next[0], "no part of producer 0's half message arrived");
                assertEquals(before, receiver.next[1], "nothing of producer 1 passed its own open claim");

                // 5. producer 1 commits at last and sends 1000 more: all arrive, the held one first
                tell.sink().writeFully("go\n".getBytes(StandardCharsets.US_ASCII));
                receiver.receiveUntil(channel, Duration.ofSeconds(60), () -> receiver.next[1] == before + 1 + after);
                var ended = slow.capture().finish(Duration.ofSeconds(60));
                ended.assertSuccess();
                assertTrue(ended.out().contains("committed after go"), ended.out());
            }
            assertEquals(0, channel.poll(receiver, Duration.ofMillis(100)), "nothing after the last message");
            assertEquals(before, receiver.next[0]);
            assertEquals(before + 1 + after, receiver.next[1]);
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    @Test
    void partiesInOtherNamespacesAreJudgedByTheirTokensNotByWhatTheirPidsNameHere() throws Exception {
        int ownPid = (int) ProcessHandle.current().pid();
        int absentPid = pidNotInUseHere();
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 64 * 1024, 100);
             PidNamespace b = PidNamespace.start(java(ManyProducerChild.class, "hold-slot", name, SEED, 100, 0, 0),
                     ownPid, null);
             PidNamespace c = PidNamespace.start(java(ManyProducerChild.class, "hold-slot", name, SEED, 100, 1, 0),
                     absentPid, null)) {
            ManyToOneChannel channel = shared.manyToOne();
            b.awaitLine("ready", Duration.ofSeconds(90));
            c.awaitLine("ready", Duration.ofSeconds(90));

            // B's producer recorded this very process's pid; C's a pid no process here has.
            ManyToOneChannel.Producer inB = producerIn(channel, b);
            ManyToOneChannel.Producer inC = producerIn(channel, c);
            assertEquals(ownPid, inB.pid());
            assertEquals(absentPid, inC.pid());
            assertFalse(Files.exists(Path.of("/proc/" + absentPid)), "pid " + absentPid + " is not in use here");
            assertEquals(PartyState.Life.ALIVE, inC.state().life(), "alive though its pid names nobody here: "
                    + inC.state().reason());
            assertEquals(PartyState.Life.ALIVE, inB.state().life(), inB.state().reason());

            b.kill();
            inB = producerIn(channel, b);
            assertEquals(ownPid, inB.pid());
            assertTrue(ProcessHandle.current().isAlive(), "pid " + ownPid + " here is this JVM, alive");
            assertEquals(PartyState.Life.DEAD, inB.state().life(), "dead though its pid is alive here: "
                    + inB.state().reason());
            assertTrue(inB.state().reason().startsWith("its token "), inB.state().reason());
            assertEquals(PartyState.Life.ALIVE, producerIn(channel, c).state().life());

            c.kill();
            assertEquals(PartyState.Life.DEAD, producerIn(channel, c).state().life());
        }
    }

    /** A pid that no process of this namespace has now (from the top of the pid range down, as few are used there). */
    private static int pidNotInUseHere() throws IOException {
        int max = Kernel.pidMax();
        for (int pid = max - 1; pid > 300; pid--) {
            if (!Files.exists(Path.of("/proc/" + pid))) {
                return pid;
            }
        }
        throw new AssertionError("every pid below pid_max=" + max + " is in use");
    }
}
