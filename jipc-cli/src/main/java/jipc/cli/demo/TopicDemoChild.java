package jipc.cli.demo;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import jipc.cli.Narrator;
import jipc.topic.SharedTopic;
import jipc.topic.TopicSubscriber;

/**
 * A subscriber of {@link TopicDemo}: {@code NAME LABEL HISTORY STALL_AFTER START_MILLIS} attaches by name, takes a
 * slot with HISTORY messages of history, prints each message (checking they come in order, none missing) until the
 * end-of-stream one; with STALL_AFTER > 0 it stops reading after that many messages, as a stuck subscriber would, and
 * waits to be killed (at most a minute, then it fails).
 */
public final class TopicDemoChild {
    private TopicDemoChild() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        String label = args[1];
        int history = Integer.parseInt(args[2]);
        int stallAfter = Integer.parseInt(args[3]);
        long start = Long.parseLong(args[4]);
        Narrator me = Narrator.of("subscriber " + label);
        try (SharedTopic shared = SharedTopic.attach(name);
             TopicSubscriber sub = shared.topic().subscribe(history)) {
            me.say(TopicDemo.at(start) + "took slot " + sub.slot() + " and joined at position " + sub.position()
                    + (history > 0 ? " with --history " + history + ": the last messages still in the ring come "
                    + "first, from sequence " + sub.expectedSequence() + "." : ", expecting sequence "
                    + sub.expectedSequence() + " next."));
            int[] received = {0};
            long[] lastNumber = {-1};
            boolean[] ended = {false};
            while (!ended[0]) {
                // one message a poll: a stalling subscriber stops exactly after STALL_AFTER
                sub.poll((type, payload) -> {
                    if (type == TopicDemo.END) {
                        ended[0] = true;
                        return;
                    }
                    String text = new String(payload.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                    long number = Long.parseLong(text.substring("message ".length(), text.indexOf(' ', 8)));
                    if (lastNumber[0] >= 0 && number != lastNumber[0] + 1) {
                        me.say("expected message " + (lastNumber[0] + 1) + " but got: " + text);
                        System.exit(1);
                    }
                    lastNumber[0] = number;
                    received[0]++;
                    me.say(TopicDemo.at(start) + "received: " + text + " (sequence " + (sub.expectedSequence() - 1)
                            + ")");
                }, 1, null);
                if (stallAfter > 0 && received[0] == stallAfter) {
                    me.say(TopicDemo.at(start) + "I stop reading now, as a stuck subscriber would: my cursor stays at "
                            + "position " + sub.position() + ", so the BLOCK publisher will have to wait for me.");
                    TimeUnit.MINUTES.sleep(1); // the demo kills me long before this
                    me.say("was not killed within a minute: the demo is stuck");
                    System.exit(1);
                }
            }
            me.say(TopicDemo.at(start) + "end of stream after " + received[0] + " messages, in order, "
                    + sub.lostMessages() + " lost. Exiting with code 0.");
        }
    }
}
