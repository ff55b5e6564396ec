package jipc.cli.demo;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import jipc.channel.OneToOneChannel;
import jipc.channel.SharedChannel;
import jipc.cli.Narrator;

/** The consumer of {@link ChannelDemo}: attaches by name, registers, takes messages until the end-of-stream one. */
public final class ChannelDemoChild {
    private ChannelDemoChild() {
    }

    public static void main(String[] args) throws Exception {
        Narrator child = Narrator.child();
        String name = args[0];
        int expected = Integer.parseInt(args[1]);
        try (SharedChannel shared = SharedChannel.attach(name)) {
            OneToOneChannel channel = shared.channel().registerConsumer();
            child.say("attached " + name + " (header checked, nothing written) and registered as its consumer:",
                    "my liveness token is named in the header, so the producer can tell if I die.");
            int[] received = {0};
            boolean[] ended = {false};
            while (!ended[0]) {
                // take() spins briefly, then sleeps in FUTEX_WAIT until the producer publishes a message.
                channel.take((type, payload) -> {
                    if (type == ChannelDemo.END) {
                        ended[0] = true;
                        return;
                    }
                    received[0]++;
                    String text = new String(payload.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                    if (!text.startsWith("message " + received[0] + " ")) {
                        child.say("expected message " + received[0] + " but got: " + text);
                        System.exit(1);
                    }
                    child.say("received: " + text + (received[0] == 1
                            ? " (woken by the producer; read in place in the ring, then its room handed back)" : ""));
                });
            }
            if (received[0] != expected) {
                child.say("end of stream after " + received[0] + " messages, expected " + expected);
                System.exit(1);
            }
            child.say("end of stream after " + received[0] + " messages, all in order. Exiting with code 0.");
        }
    }
}
