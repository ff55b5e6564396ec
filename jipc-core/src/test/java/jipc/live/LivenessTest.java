package jipc.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jipc.internal.Constants;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import jipc.testing.Capture;
import jipc.testing.Nobody;
import org.junit.jupiter.api.Test;

/**
 * The token, the monitor and the cleaner with real processes: a child JVM's party is alive while it runs and dead
 * once it is killed, whatever it left running; the verdicts that must not be "dead" (another store, a token this
 * user cannot open) are "cannot decide"; two takers of one role never both win.
 */
class LivenessTest {

    @Test
    void theTokenIsALockedFileNamedByItsKeyThatOnlyItsOwnerMayOpen() throws Exception {
        LivenessToken token = LivenessToken.standard();
        long party = token.processParty();
        String name = LivenessDescriptor.tokenFileName(party);
        assertEquals("/dev/shm/" + name, token.path());
        assertTrue(LivenessDescriptor.isTokenFileName(name), name);
        assertEquals(Liveness.storeTag(), LivenessDescriptor.storeTag(party));
        assertEquals(LivenessDescriptor.PROCESS_PARTY, LivenessDescriptor.partyNumber(party));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(token.path()))));
        assertFalse(Files.exists(Path.of(token.path() + LivenessDescriptor.NEW_SUFFIX)));
        assertTrue(Liveness.tokenFiles().contains(name));
        // another process sees the lock
        Capture.Result other = Capture.run(Spawn.java(LivenessPeer.class, "check", Long.toHexString(party)))
                .assertSuccess();
        assertEquals("ALIVE its token " + token.path() + " is locked\n", other.out());
        // and the cleaner never removes a live one
        assertFalse(Liveness.removeIfDead(name));
        assertTrue(Files.exists(Path.of(token.path())));
    }

    @Test
    void aChildsPartyIsAliveWhileItRunsThenDeadOnceKilledAndTheCleanerRemovesItsToken() throws Exception {
        try (Capture child = Capture.start(Spawn.java(LivenessPeer.class, "hold"))) {
            long party = Long.parseUnsignedLong(firstLine(child), 16);
            String path = "/dev/shm/" + LivenessDescriptor.tokenFileName(party);
            assertEquals(new PartyState(PartyState.Life.ALIVE, "its token " + path + " is locked"),
                    Liveness.check(party));
            child.child().signal(Constants.SIGKILL);
            child.child().waitFor();
            assertEquals(new PartyState(PartyState.Life.DEAD, "its token " + path + " is not locked"),
                    Liveness.check(party));
            assertTrue(Liveness.removeIfDead(LivenessDescriptor.tokenFileName(party)));
            assertEquals(new PartyState(PartyState.Life.DEAD, "its token " + path + " is gone"),
                    Liveness.check(party));
        }
    }

    @Test
    void aGrandchildThatOutlivesItsParentDoesNotKeepTheParentAlive() throws Exception {
        try (Capture parent = Capture.start(Spawn.java(LivenessPeer.class, "parent"))) {
            String[] words = firstLine(parent).split(" ");
            long party = Long.parseUnsignedLong(words[0], 16);
            int grandchild = Integer.parseInt(words[1]);
            try {
                assertTrue(Liveness.check(party).life() == PartyState.Life.ALIVE);
                parent.child().signal(Constants.SIGKILL);
                parent.child().waitFor();
                assertTrue(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false),
                        "the grandchild still runs");
                assertTrue(Liveness.check(party).isDead(), Liveness.check(party).toString());
            } finally {
                ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
                Liveness.removeDeadToken(party);
            }
        }
    }

    @Test
    void partiesOfThisProcessAreAliveUntilGivenBackWithoutASystemCall() throws Exception {
        Party party = LivenessToken.standard().newParty();
        assertTrue(LivenessDescriptor.partyNumber(party.id()) >= 2);
        assertEquals(new PartyState(PartyState.Life.ALIVE, "this process"), Liveness.check(party.id()));
        party.close();
        party.close(); // idempotent
        assertEquals(PartyState.Life.DEAD, Liveness.check(party.id()).life());
    }

    @Test
    void whatCannotBeJudgedIsNeverDead() throws Exception {
        int tag = Liveness.storeTag();
        long missing = LivenessDescriptor.partyId(tag, 2, 0x0BADC0DE);
        assertEquals(PartyState.Life.DEAD, Liveness.check(missing).life(), "no such token in this /dev/shm");
        long elsewhere = LivenessDescriptor.partyId(tag ^ 0x8000, 2, 0x0BADC0DE);
        PartyState state = Liveness.check(elsewhere);
        assertEquals(PartyState.Life.UNKNOWN, state.life());
        assertTrue(state.mayBeAlive() && state.reason().startsWith("its token is in another /dev/shm"),
                state.reason());
        assertEquals(PartyState.Life.NONE, Liveness.check(0).life());
        // any word a hostile peer may write gets a verdict, never an exception
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            Liveness.check(random.nextLong());
        }
    }

    @Test
    void aTokenThisUserCannotOpenCannotBeDecided() throws Exception {
        long party = LivenessToken.standard().processParty(); // mode 0600, owned by root
        try (Nobody nobody = Nobody.create()) {
            List<String> argv = nobody.argv(nobody.java(LivenessPeer.class, "check", Long.toHexString(party)));
            Capture.Result result = Capture.run(Spawn.command(argv)).assertSuccess();
            assertTrue(result.out().startsWith("UNKNOWN cannot open its token: open(\"/dev/shm/"
                    + LivenessDescriptor.tokenFileName(party) + "\") failed: EACCES"), result.out());
        }
    }

    @Test
    void ofTwoTakersOfOneRoleExactlyOneWinsEveryTime() throws Exception {
        MemorySegment word = MemorySegment.ofArray(new long[1]);
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2); // the common pool may have one thread here
        try {
            for (int round = 0; round < 200; round++) {
                word.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0);
                try (Party a = LivenessToken.standard().newParty(); Party b = LivenessToken.standard().newParty()) {
                    var first = CompletableFuture.supplyAsync(() -> take(start, word, a), threads);
                    var second = CompletableFuture.supplyAsync(() -> take(start, word, b), threads);
                    boolean x = first.get(10, TimeUnit.SECONDS);
                    boolean y = second.get(10, TimeUnit.SECONDS);
                    assertTrue(x ^ y, "round " + round + ": " + x + " " + y);
                    long holder = Role.holder(word, 0);
                    assertEquals(x ? a.id() : b.id(), holder);
                    assertTrue(Role.giveBack(word, 0, x ? a : b));
                    assertFalse(Role.giveBack(word, 0, x ? a : b), "given back once");
                }
            }
        } finally {
            threads.shutdownNow();
        }
        // a dead holder is taken over, and the taker learns from whom
        long dead = LivenessDescriptor.partyId(Liveness.storeTag(), 2, 0x0DEADBEF);
        word.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, dead);
        try (Party c = LivenessToken.standard().newParty()) {
            assertEquals(dead, Role.take(word, 0, c, "the test role", id -> "holder"));
            assertEquals(0, Role.take(word, 0, c, "the test role", id -> "holder"), "taking it again is a no-op");
            Role.giveBack(word, 0, c);
        }
        // one that cannot be judged is not
        long elsewhere = LivenessDescriptor.partyId(Liveness.storeTag() ^ 0x8000, 2, 0x0DEADBEF);
        word.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, elsewhere);
        try (Party d = LivenessToken.standard().newParty()) {
            RoleTakenException e = assertThrows(RoleTakenException.class,
                    () -> Role.take(word, 0, d, "the test role", id -> "pid 7"));
            assertEquals(elsewhere, e.holder());
            assertTrue(e.getMessage().startsWith("the test role is taken: pid 7 is alive? (its token is in another"),
                    e.getMessage());
        }
    }

    @Test
    void storeTagFollowsTheSpecifiedHash() {
        // the vectors of docs/liveness-format.md
        assertEquals(0xa369, LivenessDescriptor.storeTag(0x2aL, 1L));
        assertEquals(0x64e1, LivenessDescriptor.storeTag(0x1a00000000L, 123456789L));
        String name = LivenessDescriptor.tokenFileName(LivenessDescriptor.partyId(0xb916, 3, 0x0c3a9f21));
        assertEquals("jipc.live.b9160c3a9f21", name);
        assertEquals(LivenessDescriptor.partyId(0xb916, 1, 0x0c3a9f21), LivenessDescriptor.processPartyOf(name));
    }

    private static boolean take(CyclicBarrier start, MemorySegment word, Party party) {
        try {
            start.await(10, TimeUnit.SECONDS);
            Role.take(word, 0, party, "the test role", id -> "the other");
            return true;
        } catch (RoleTakenException e) {
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String firstLine(Capture child) throws Exception {
        jipc.testing.Await.until(java.time.Duration.ofSeconds(30), "a line from the child",
                () -> child.outSoFar().indexOf('\n') >= 0);
        String out = child.outSoFar();
        return out.substring(0, out.indexOf('\n'));
    }
}
