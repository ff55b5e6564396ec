package jipc.cli.channel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

import jipc.channel.MessageChannel;
import jipc.channel.SharedChannel;
import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc channel send NAME}: each line of stdin becomes one message; an end-of-stream message follows the last.
 * Waits while the ring is full (the consumer drains it), at most {@code --timeout} for each message.
 */
@Command(name = "send", description = {"Send each line of stdin as one message (type 1, without the newline), then "
        + "an end-of-stream message (type 2) unless --no-end.",
        "Waits while the ring is full; with --timeout, fails (exit 69) when the consumer has not made room in time."})
public final class ChannelSend implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The channel's name: /name.")
    String name;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Timeout.class,
            description = "Wait at most DURATION for room for each message (500ms, 10s, 2m); default: as long as it takes.")
    Duration timeout;

    @Option(names = "--no-end", description = "Do not send the end-of-stream message (more senders follow).")
    boolean noEnd;

    @Override
    public Integer call() throws Exception {
        try (SharedChannel shared = SharedChannel.attach(name)) {
            MessageChannel channel = shared.messageChannel();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long sent = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                if (bytes.length > channel.maxMessageLength()) {
                    throw new Failure(ExitCodes.USAGE, "line " + (sent + 1) + " is " + bytes.length
                            + " bytes, more than the channel's largest message (" + channel.maxMessageLength() + ")");
                }
                put(channel, LineProtocol.LINE, bytes, sent + 1);
                sent++;
            }
            if (!noEnd) {
                put(channel, LineProtocol.END, new byte[0], sent + 1);
            }
        }
        return 0;
    }

    private void put(MessageChannel channel, int type, byte[] bytes, long number) throws InterruptedException {
        if (!channel.put(type, bytes, 0, bytes.length, timeout)) {
            String consumer = channel.consumerPid() == 0 ? "no consumer is registered"
                    : channel.isConsumerAlive() ? "consumer pid " + channel.consumerPid() + " is alive but not reading"
                    : "consumer pid " + channel.consumerPid() + " has died";
            throw new Failure(ExitCodes.UNAVAILABLE, "the ring stayed full for " + timeout.toMillis() + " ms at message "
                    + number + ": " + consumer);
        }
    }
}
