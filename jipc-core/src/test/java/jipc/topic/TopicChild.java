package jipc.topic;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * The other process of the topic tests. Prints one line per step so the parent can follow:
 * <ul>
 * <li>{@code sub NAME SEED MAX COUNT [HISTORY]}: joins, prints {@code joined SLOT SEQ}, receives COUNT messages
 *     checking each, prints {@code done RECEIVED LOST};</li>
 * <li>{@code hold NAME}: joins, prints {@code joined SLOT SEQ}, then reads nothing until killed;</li>
 * <li>{@code slow NAME SEED MAX TOTAL}: joins, reads one message per 50 µs park until it has accounted for TOTAL
 *     messages (received + lost), prints {@code done RECEIVED LOST};</li>
 * <li>{@code chase NAME LENGTH COUNT}: joins, prints {@code joined SLOT SEQ}, polls without waiting until it has
 *     received COUNT {@link TopicMessages#fillChase chase messages} (checking each) or a minute passed, prints
 *     {@code done RECEIVED LOST EXPECTED GAPS} (EXPECTED: the sequence it expects next; GAPS: how often it went on
 *     after a loss);</li>
 * <li>{@code pub NAME SEED MAX FIRST COUNT}: publishes messages FIRST.., prints {@code published NEXT};</li>
 * <li>{@code pub-then-claim NAME SEED MAX FIRST COUNT}: publishes, then claims one more message, writes half of
 *     it, prints {@code claimed SEQ} and waits to be killed.</li>
 * </ul>
 */
public final class TopicChild {
    private TopicChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        try (SharedTopic shared = SharedTopic.attach(args[1])) {
            Topic topic = shared.topic();
            switch (mode) {
                case "sub" -> {
                    long seed = Long.parseLong(args[2]);
                    int max = Integer.parseInt(args[3]);
                    long count = Long.parseLong(args[4]);
                    int history = args.length > 5 ? Integer.parseInt(args[5]) : 0;
                    try (TopicSubscriber sub = topic.subscribe(history)) {
                        System.out.println("joined " + sub.slot() + " " + sub.expectedSequence());
                        long[] n = {0};
                        while (n[0] < count) {
                            sub.poll((type, p) -> {
                                TopicMessages.check(seed, sub.expectedSequence() - 1, max, type, p);
                                n[0]++;
                            }, 256, Duration.ofSeconds(60));
                        }
                        System.out.println("done " + sub.receivedMessages() + " " + sub.lostMessages());
                    }
                }
                case "hold" -> {
                    TopicSubscriber sub = topic.subscribe();
                    System.out.println("joined " + sub.slot() + " " + sub.expectedSequence());
                    Thread.sleep(Duration.ofMinutes(10));
                }
                case "slow" -> {
                    long seed = Long.parseLong(args[2]);
                    int max = Integer.parseInt(args[3]);
                    long total = Long.parseLong(args[4]);
                    try (TopicSubscriber sub = topic.subscribe()) {
                        System.out.println("joined " + sub.slot() + " " + sub.expectedSequence());
                        while (sub.receivedMessages() + sub.lostMessages() < total) {
                            sub.poll((type, p) -> TopicMessages.check(seed, sub.expectedSequence() - 1, max, type, p),
                                    1, Duration.ofSeconds(60));
                            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                        }
                        System.out.println("done " + sub.receivedMessages() + " " + sub.lostMessages());
                    }
                }
                case "chase" -> {
                    int length = Integer.parseInt(args[2]);
                    long count = Long.parseLong(args[3]);
                    try (TopicSubscriber sub = topic.subscribe()) {
                        System.out.println("joined " + sub.slot() + " " + sub.expectedSequence());
                        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                        long[] gaps = {0, sub.expectedSequence()}; // resumptions after a loss; the next sequence
                        while (sub.receivedMessages() < count && System.nanoTime() - deadline < 0) {
                            sub.poll((type, p) -> {
                                long seq = sub.expectedSequence() - 1;
                                TopicMessages.checkChase(seq, length, type, p);
                                gaps[0] += seq != gaps[1] ? 1 : 0;
                                gaps[1] = seq + 1;
                            }, 256);
                        }
                        System.out.println("done " + sub.receivedMessages() + " " + sub.lostMessages() + " "
                                + sub.expectedSequence() + " " + gaps[0]);
                    }
                }
                case "pub", "pub-then-claim" -> {
                    long seed = Long.parseLong(args[2]);
                    int max = Integer.parseInt(args[3]);
                    long first = Long.parseLong(args[4]);
                    long count = Long.parseLong(args[5]);
                    TopicPublisher pub = topic.publisher();
                    TopicMessages.publish(pub, seed, first, count, max);
                    System.out.println("published " + pub.nextSequence());
                    if (mode.equals("pub-then-claim")) {
                        long seq = pub.nextSequence();
                        int length = TopicMessages.length(seed, seq, max);
                        MemorySegment room = pub.claim(TopicMessages.type(seq), max, Duration.ofSeconds(60));
                        TopicMessages.fill(room.asSlice(0, length / 2), seed, seq, length / 2);
                        System.out.println("claimed " + seq);
                        Thread.sleep(Duration.ofMinutes(10));
                    }
                    pub.close();
                }
                default -> throw new IllegalArgumentException("mode=" + mode);
            }
        }
    }
}
