package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jipc.live.Liveness;
import jipc.live.LivenessDescriptor;
import jipc.live.PartyState;
import jipc.live.RoleTakenException;
import jipc.pipe.Pipe;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exclusive ends of a one-producer channel (its consumer role and its producer role) across C (the twin
 * {@code native/jipc_channel.c}, through {@code src/test/c/role_peer.c}) and Java ({@link RoleChild} in child JVMs,
 * and this JVM): of two contenders started together exactly one wins, every round, whatever their languages, from a
 * free role or from a dead holder; a holder killed with SIGKILL is taken over by the other language (and its token
 * file removed); a child that a C holder forked without exec does not keep its parent's role alive. And the C twin's
 * store tag equals Java's, so that each judges the other's tokens.
 */
@Timeout(180)
class ExclusiveEndsTest {
    private static final int ROUNDS = 30;
    private static final int SIGKILL = 9;
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    private String name;

    private static Path peer() {
        return Gcc.program("role_peer", "jipc_channel.c", "jipc_live.c");
    }

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-ends-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    private static long roleOffset(String role) {
        return role.equals("consumer") ? ChannelDescriptor.CONSUMER_PARTY_OFFSET
                : ChannelDescriptor.PRODUCER_PARTY_OFFSET;
    }

    private static long pidOffset(String role) {
        return role.equals("consumer") ? ChannelDescriptor.CONSUMER_PID_OFFSET : ChannelDescriptor.PRODUCER_PID_OFFSET;
    }

    /** A party id of this host's store whose token file does not exist: dead ("Judging a party", step 3). */
    private static long deadParty() {
        for (;;) {
            int number = RANDOM.nextInt();
            long party = LivenessDescriptor.partyId(Liveness.storeTag(), 2, number);
            if (number != 0 && number != -1 && !Files.exists(tokenFile(party))) {
                return party;
            }
        }
    }

    private static Path tokenFile(long party) {
        return Path.of(LivenessDescriptor.TOKEN_DIRECTORY, LivenessDescriptor.tokenFileName(party));
    }

    // ---- store tags and tokens -----------------------------------------------------------------------------------

    @Test
    void theCTwinsStoreTagEqualsJavasForEveryDeviceAndInode() throws Exception {
        List<long[]> pairs = new ArrayList<>(List.of(new long[] {0, 0}, new long[] {1, 0}, new long[] {0, 1},
                new long[] {-1, -1}, new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, new long[] {0x803, 1},
                new long[] {0x2a, 0xfffffffeL}));
        // inputs whose fold is 0 or 1 (both give tag 1: 0 is never a tag)
        for (long ino = 0; pairs.size() < 12; ino++) {
            if (LivenessDescriptor.storeTag(0x1b, ino) == 1) {
                pairs.add(new long[] {0x1b, ino});
            }
        }
        for (int i = 0; i < 20; i++) {
            pairs.add(new long[] {RANDOM.nextLong(), RANDOM.nextLong()});
        }
        List<String> argv = new ArrayList<>(List.of(peer().toString(), "tag"));
        StringBuilder expected = new StringBuilder();
        for (long[] pair : pairs) {
            argv.add(Long.toUnsignedString(pair[0]));
            argv.add(Long.toUnsignedString(pair[1]));
            expected.append(LivenessDescriptor.storeTag(pair[0], pair[1])).append('\n');
        }
        assertEquals(expected.toString(), Capture.run(Spawn.command(argv)).assertSuccess().out());
        // the test vectors of docs/liveness-format.md
        assertEquals((0xa369 + "\n") + (0x64e1 + "\n"), Capture.run(Spawn.command(peer().toString(), "tag", "42", "1",
                Long.toUnsignedString(0x1a00000000L), "123456789")).assertSuccess().out());
        assertEquals(Liveness.storeTag() + "\n",
                Capture.run(Spawn.command(peer().toString(), "tag-self")).assertSuccess().out(),
                "C and Java compute the same tag for this /dev/shm");
    }

    @Test
    void theCTwinsTokenHasTheModeOfItsAccessClassAndTheClassIsChosenBeforeTheTokenIsMade() throws Exception {
        for (String[] modeAndBits : new String[][] {{"600", "600"}, {"620", "660"}, {"022", "666"}, {"0", "600"}}) {
            String out = Capture.run(Spawn.command(peer().toString(), "token", modeAndBits[0])).assertSuccess().out();
            String[] lines = out.split("\n");
            String[] pathAndBits = lines[0].split(" ");
            assertTrue(LivenessDescriptor.isTokenFileName(Path.of(pathAndBits[0]).getFileName().toString()), out);
            assertEquals(modeAndBits[1], pathAndBits[1], "mode " + modeAndBits[0] + " | read where write | 0600");
            assertEquals("again: Device or resource busy", lines[1], "EBUSY once the token is made");
            String name = Path.of(pathAndBits[0]).getFileName().toString();
            // a process never removes its own token (docs/liveness-format.md, Removal): dead once it exited
            assertTrue(jipc.live.Liveness.checkTokenFile(name).isDead(), Liveness.checkTokenFile(name).reason());
            Liveness.removeIfDead(name);
        }
    }

    // ---- two contenders started together ----------------------------------------------------------------------

    /** A contender child (C or Java) that takes a role when told, on the same channel, round after round. */
    private static final class Contender implements AutoCloseable {
        private final String label;
        private final Pipe stdin;
        private final Capture capture;
        private int linesRead;

        private Contender(String label, Spawn spawn) throws IOException {
            this.label = label;
            this.stdin = Pipe.open();
            try {
                this.capture = Capture.startKeepingStdin(spawn.fd(0, stdin.source()));
            } catch (IOException | RuntimeException e) {
                stdin.close();
                throw e;
            }
        }

        static Contender c(String label, String name) throws IOException {
            return new Contender(label, Spawn.command(peer().toString(), "contend", name));
        }

        static Contender java(String label, String name) throws IOException {
            return new Contender(label, Spawn.java(RoleChild.class, "contend", name));
        }

        int pid() {
            return capture.child().pid();
        }

        void send(String line) throws IOException {
            stdin.sink().writeFully((line + "\n").getBytes(StandardCharsets.US_ASCII));
        }

        /** The next line it prints, waiting for it. */
        String nextLine() throws Exception {
            String[] line = new String[1];
            Await.until(LINE_TIMEOUT, label + "'s line " + (linesRead + 1), () -> {
                String[] lines = capture.outSoFar().split("\n", -1);
                if (lines.length - 1 > linesRead) { // the last element is what follows the last newline
                    line[0] = lines[linesRead];
                    return true;
                }
                Optional<ExitStatus> status = capture.child().exitStatus();
                if (status.isPresent()) {
                    throw new AssertionError(label + " ended with " + status.get() + "; stdout: "
                            + capture.outSoFar());
                }
                return false;
            });
            linesRead++;
            return line[0];
        }

        /** Closes its stdin (EOF: it gives back nothing more and exits) and expects a clean exit. */
        void finish() throws IOException {
            stdin.sink().close();
            capture.finish(Duration.ofSeconds(30)).assertSuccess();
        }

        @Override
        public void close() throws IOException {
            try {
                capture.close();
            } finally {
                stdin.close();
            }
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * Each round two contenders, C and C, C and Java, Java and Java, Java and C, are told to take the role at the
     * same instant of the monotonic clock (they spin until then); every other pair of rounds the role word first holds
     * a dead party, so that both take over from the dead at once. Exactly one wins: its pid appears beside the role
     * word; the other reports EBUSY (C) or {@link RoleTakenException} (Java). The winner gives the role back.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"consumer", "producer"})
    void ofTwoContendersStartedTogetherExactlyOneWinsEveryRound(String role) throws Exception {
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64);
             Contender c1 = Contender.c("C contender 1", name);
             Contender c2 = Contender.c("C contender 2", name);
             Contender j1 = Contender.java("Java contender 1", name);
             Contender j2 = Contender.java("Java contender 2", name)) {
            for (Contender contender : List.of(c1, c2, j1, j2)) {
                assertEquals("ready", contender.nextLine());
            }
            MemorySegment segment = shared.mapping().segment();
            long offset = roleOffset(role);
            Contender[][] pairs = {{c1, c2}, {c1, j1}, {j1, j2}, {j2, c2}};
            int fromDead = 0;
            for (int round = 0; round < ROUNDS; round++) {
                Contender[] pair = pairs[round % pairs.length];
                long dead = 0;
                if ((round / pairs.length) % 2 == 1) {
                    dead = deadParty();
                    segment.set(ValueLayout.JAVA_LONG, offset, dead);
                    fromDead++;
                }
                long start = System.nanoTime() + 20_000_000L;
                for (Contender contender : pair) {
                    contender.send(role + " " + start);
                }
                String first = pair[0].nextLine();
                String second = pair[1].nextLine();
                String what = "round " + round + " (" + pair[0] + ": " + first + "; " + pair[1] + ": " + second
                        + (dead != 0 ? "; from a dead holder" : "") + ")";
                assertEquals(1, (first.equals("won") ? 1 : 0) + (second.equals("won") ? 1 : 0), what);
                Contender winner = first.equals("won") ? pair[0] : pair[1];
                String loser = first.equals("won") ? second : first;
                assertTrue(loser.equals("busy") || loser.startsWith("busy the " + role + " of"), what);
                long holder = segment.get(ValueLayout.JAVA_LONG, offset);
                assertNotEquals(0, holder, what);
                assertNotEquals(dead, holder, what);
                assertEquals(PartyState.Life.ALIVE, Liveness.check(holder).life(), what);
                assertEquals(winner.pid(), segment.get(ValueLayout.JAVA_INT, pidOffset(role)), what);
                winner.send("give");
                assertEquals("given", winner.nextLine(), what);
                assertEquals(0, segment.get(ValueLayout.JAVA_LONG, offset), "given back: " + what);
            }
            assertTrue(fromDead > 0);
            for (Contender contender : List.of(c1, c2, j1, j2)) {
                contender.finish();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"consumer", "producer"})
    void aSecondInstanceInTheSameProcessIsRefusedInCAndInJava(String role) throws Exception {
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64)) {
            assertEquals("first won\nsecond busy\n",
                    Capture.run(Spawn.command(peer().toString(), "twice", role, name)).assertSuccess().out());
            MemorySegment segment = shared.mapping().segment();
            assertEquals(0, segment.get(ValueLayout.JAVA_LONG, roleOffset(role)), "both gave back what they held");
            OneToOneChannel first = OneToOneChannel.attach(segment);
            OneToOneChannel second = OneToOneChannel.attach(segment);
            take(first, role);
            RoleTakenException e = assertThrows(RoleTakenException.class, () -> take(second, role));
            assertTrue(e.getMessage().contains("(this process)"), e.getMessage());
            giveBack(first, role);
            take(second, role);
            giveBack(second, role);
        }
    }

    private static void take(OneToOneChannel channel, String role) {
        if (role.equals("consumer")) {
            channel.registerConsumer();
        } else {
            channel.attachProducer();
        }
    }

    private static void giveBack(OneToOneChannel channel, String role) {
        if (role.equals("consumer")) {
            channel.unregisterConsumer();
        } else {
            channel.detachProducer();
        }
    }

    // ---- a holder killed with SIGKILL ---------------------------------------------------------------------------

    /**
     * A C holder, killed with SIGKILL, is taken over by Java: refused while it lives; once killed its token is
     * unlocked (dead), and the Java taker removes the token file and, for the producer role, clears the bit 63 the
     * holder left in the producers-waiting set when it died asleep on a full ring.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"consumer", "producer"})
    void aCHolderKilledWithSigkillIsTakenOverByJava(String role) throws Exception {
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64)) {
            MemorySegment segment = shared.mapping().segment();
            long holder;
            boolean leftWaiting;
            try (Capture c = Capture.start(Spawn.command(peer().toString(), "hold", role, name))) {
                holder = awaitHolder(c, segment, role);
                OneToOneChannel early = OneToOneChannel.attach(segment);
                RoleTakenException e = assertThrows(RoleTakenException.class, () -> take(early, role));
                assertEquals(holder, e.holder());
                assertEquals(PartyState.Life.ALIVE, e.holderState().life(), e.getMessage());
                leftWaiting = kill(c, segment, role);
            }
            assertEquals(PartyState.Life.DEAD, Liveness.check(holder).life(), Liveness.check(holder).reason());
            OneToOneChannel taker = OneToOneChannel.attach(segment);
            take(taker, role);
            assertFalse(Files.exists(tokenFile(holder)), "the taker removed the dead holder's token file");
            if (leftWaiting) {
                assertEquals(0, producersWaiting(segment), "the taker cleared the dead producer's waiting bit");
            }
            if (role.equals("producer")) {
                assertTrue(taker.tailPosition() > 0, "the taker recovered the tail of the full ring");
            }
            giveBack(taker, role);
        }
    }

    /** The mirror image: a Java holder (a child JVM) killed with SIGKILL is taken over by the C twin. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"consumer", "producer"})
    void aJavaHolderKilledWithSigkillIsTakenOverByC(String role) throws Exception {
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64)) {
            MemorySegment segment = shared.mapping().segment();
            long holder;
            boolean leftWaiting;
            try (Capture java = Capture.start(Spawn.java(RoleChild.class, "hold", role, name))) {
                holder = awaitHolder(java, segment, role);
                assertEquals("busy\n", Capture.run(Spawn.command(peer().toString(), "take", role, name))
                        .assertSuccess().out(), "refused while the Java holder lives");
                leftWaiting = kill(java, segment, role);
            }
            assertEquals(PartyState.Life.DEAD, Liveness.check(holder).life(), Liveness.check(holder).reason());
            assertEquals("won\n", Capture.run(Spawn.command(peer().toString(), "take", role, name))
                    .assertSuccess().out());
            assertFalse(Files.exists(tokenFile(holder)), "the C taker removed the dead holder's token file");
            if (leftWaiting) {
                assertEquals(0, producersWaiting(segment), "the C taker cleared the dead producer's waiting bit");
            }
            assertEquals(0, segment.get(ValueLayout.JAVA_LONG, roleOffset(role)), "the C taker gave it back");
        }
    }

    /**
     * Waits for the child's "holding TOKEN_PATH" (and, for a producer, for it to sleep on the full ring with bit 63
     * set); checks that the role word holds a live party of that token. Returns the party id.
     */
    private static long awaitHolder(Capture child, MemorySegment segment, String role) throws Exception {
        Await.until(LINE_TIMEOUT, "the holder to take the " + role + " role",
                () -> child.outSoFar().contains("\n") || child.child().exitStatus().isPresent());
        String line = child.outSoFar().split("\n")[0];
        assertTrue(line.startsWith("holding /dev/shm/" + LivenessDescriptor.TOKEN_PREFIX), line);
        Path token = Path.of(line.substring("holding ".length()));
        long holder = segment.get(ValueLayout.JAVA_LONG, roleOffset(role));
        assertEquals(token.getFileName().toString(), LivenessDescriptor.tokenFileName(holder));
        assertEquals(child.child().pid(), segment.get(ValueLayout.JAVA_INT, pidOffset(role)));
        assertEquals(PartyState.Life.ALIVE, Liveness.check(holder).life(), Liveness.check(holder).reason());
        String content = Files.readString(token);
        assertTrue(content.startsWith("pid " + child.child().pid() + " pidns "), content);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(token)));
        if (role.equals("producer")) {
            Await.until(LINE_TIMEOUT, "the producer to sleep on the full ring",
                    () -> (producersWaiting(segment) & ChannelDescriptor.ONE_PRODUCER_WAITING_BIT) != 0);
        }
        return holder;
    }

    /** SIGKILLs the child; returns whether it left bit 63 of the producers-waiting set on. */
    private static boolean kill(Capture child, MemorySegment segment, String role) throws IOException {
        child.child().signal(SIGKILL);
        ExitStatus status = child.child().waitFor(Duration.ofSeconds(10)).orElseThrow();
        assertEquals(SIGKILL, status.signal(), "killed by SIGKILL: " + status);
        return role.equals("producer")
                && (producersWaiting(segment) & ChannelDescriptor.ONE_PRODUCER_WAITING_BIT) != 0;
    }

    private static long producersWaiting(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.PRODUCERS_WAITING_OFFSET);
    }

    // ---- fork without exec ------------------------------------------------------------------------------------

    /**
     * A C consumer forks without exec; the child keeps every descriptor it inherited except the token (closed by the
     * pthread_atfork child handler), and its inherited jipc_channel holds none of the parent's roles (it is refused
     * while the parent lives). Once the parent is SIGKILLed, the child lives on, and still a Java consumer takes the
     * role over: the child does not keep its parent's party alive.
     */
    @Test
    void aChildForkedWithoutExecDoesNotKeepItsKilledParentsRoleAlive() throws Exception {
        long childPid = 0;
        Path childToken = null;
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64);
             Capture parent = Capture.start(Spawn.command(peer().toString(), "fork-hold", name))) {
            MemorySegment segment = shared.mapping().segment();
            Await.until(LINE_TIMEOUT, "the parent to hold the role and its child to report",
                    () -> parent.outSoFar().split("\n").length >= 2 || parent.child().exitStatus().isPresent());
            String[] lines = parent.outSoFar().split("\n");
            assertTrue(lines[0].startsWith("holding "), parent.outSoFar());
            String parentToken = lines[0].substring("holding ".length());
            String[] child = lines[1].split(" ");
            assertEquals("child", child[0], parent.outSoFar());
            childPid = Long.parseLong(child[1]);
            assertEquals("busy", child[2], "the child's inherited instance does not hold its parent's role");
            childToken = Path.of(child[3]);
            assertNotEquals(parentToken, child[3], "the child made a token of its own");
            for (String target : descriptorTargets(childPid)) {
                assertFalse(target.startsWith(parentToken), "the child still has its parent's token open: " + target);
            }
            long holder = segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.CONSUMER_PARTY_OFFSET);
            assertEquals(Path.of(parentToken).getFileName().toString(), LivenessDescriptor.tokenFileName(holder));

            parent.child().signal(SIGKILL);
            assertEquals(SIGKILL, parent.child().waitFor(Duration.ofSeconds(10)).orElseThrow().signal());
            assertTrue(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false),
                    "the forked child still runs");
            assertEquals(PartyState.Life.DEAD, Liveness.check(holder).life(), Liveness.check(holder).reason());
            OneToOneChannel taker = OneToOneChannel.attach(segment).registerConsumer();
            assertNotEquals(holder, segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.CONSUMER_PARTY_OFFSET));
            taker.unregisterConsumer();
        } finally {
            if (childPid != 0) {
                ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
                long pid = childPid;
                Await.until(Duration.ofSeconds(10), "the forked child to die",
                        () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            }
            if (childToken != null) {
                Liveness.removeIfDead(childToken.getFileName().toString()); // it was killed: its token is dead
            }
        }
    }

    /** The targets of the descriptors of process {@code pid} ({@code readlink} of {@code /proc/PID/fd/*}). */
    private static List<String> descriptorTargets(long pid) throws IOException {
        List<String> targets = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        assertFalse(targets.isEmpty(), "no descriptors listed for " + pid);
        return targets;
    }
}
