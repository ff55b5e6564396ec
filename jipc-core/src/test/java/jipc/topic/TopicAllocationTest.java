package jipc.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jipc.process.Spawn;
import jipc.testing.Capture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16, "no allocation per message on any hot path", for topics: what one thread allocates publishing and polling
 * 20 000 messages ({@link TopicAllocationChild}), in a child JVM started as {@link Spawn#java} starts every test JVM,
 * with C1 only: no escape analysis, so every object the path makes is counted, whatever C2 would have inlined.
 *
 * <p>OVERWRITE hands the handler a view of the subscriber's private copy: the same view for messages of one length,
 * so nothing per message (before 6 Dec 2026 a new view per message: 40 bytes each, and the test fails). BLOCK hands a
 * view of the message in place in the ring, one per message (the {@link jipc.channel.MessageHandler} contract, as on
 * channels): the bound allows exactly that.
 */
class TopicAllocationTest {
    private static final int WARMUP = 2_000;
    private static final int ROUNDS = 20_000;

    @ParameterizedTest(name = "{1} {0} B")
    @CsvSource({"64, OVERWRITE", "4096, OVERWRITE", "64, BLOCK", "4096, BLOCK"})
    void publishingAndPollingAllocateNothingButBlocksInPlaceViews(int size, String policy) throws Exception {
        Capture.Result result = Capture.run(Spawn.java(TopicAllocationChild.class, "" + size, "" + WARMUP,
                "" + ROUNDS, policy)).assertSuccess();
        String[] lines = result.out().strip().split("\n");
        assertEquals(2, lines.length, result.out());
        long slice = Long.parseLong(lines[0].split(" ")[1]);
        assertTrue(slice > 0, "a slice allocates in this JVM: " + lines[0]);
        String[] f = lines[1].split(" ");
        long allocated = Long.parseLong(f[1]);
        assertEquals(WARMUP + ROUNDS, Long.parseLong(f[2]), "messages received");
        // one view per message in BLOCK, none in OVERWRITE, and half a byte per message for what happens now and then
        long views = policy.equals("BLOCK") ? (long) ROUNDS * slice : 0;
        long bound = views + ROUNDS / 2;
        assertTrue(allocated <= bound, policy + " " + size + " B: allocated " + allocated + " bytes in " + ROUNDS
                + " messages (" + (double) allocated / ROUNDS + " per message); the views account for " + views);
    }
}
