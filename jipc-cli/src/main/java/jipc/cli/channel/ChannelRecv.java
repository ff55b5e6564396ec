package jipc.cli.channel;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
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
 * {@code jipc channel recv NAME}: registers as the channel's consumer and prints each message as a line until the
 * end-of-stream message, {@code --count} messages, or {@code --timeout} without a message.
 */
@Command(name = "recv", description = {"Register as the channel's consumer and print each message on its own line, "
        + "until an end-of-stream message (type 2) arrives, --count messages were printed, or --timeout passed "
        + "without a message (exit 69 if --count was not reached).",
        "While it waits it sleeps in the kernel (futex): an idle recv uses no CPU."})
public final class ChannelRecv implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The channel's name: /name.")
    String name;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Stop after N messages.")
    Long count;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Timeout.class,
            description = "Stop when no message came for DURATION (500ms, 10s, 2m); default: wait as long as it takes.")
    Duration timeout;

    private boolean ended;
    private long printed;

    @Override
    public Integer call() throws Exception {
        if (count != null && count < 1) {
            throw new Failure(ExitCodes.USAGE, "--count=" + count + " must be at least 1");
        }
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        try (SharedChannel shared = SharedChannel.attach(name)) {
            MessageChannel channel = shared.messageChannel().registerConsumer();
            while (!ended && (count == null || printed < count)) {
                // One message a poll: whatever follows an end-of-stream message stays in the ring for the next reader.
                int got = channel.poll((type, payload) -> print(out, type, payload.toArray(ValueLayout.JAVA_BYTE)),
                        1, timeout);
                if (got == 0 || !channel.hasMessage()) {
                    out.flush();
                }
                if (got == 0 && timeout != null) {
                    if (count != null) {
                        throw new Failure(ExitCodes.UNAVAILABLE, "no message for " + timeout.toMillis() + " ms after "
                                + printed + " of " + count);
                    }
                    break;
                }
            }
        }
        out.flush();
        return 0;
    }

    private void print(OutputStream out, int type, byte[] bytes) {
        if (type == LineProtocol.END) {
            ended = true;
            return;
        }
        try {
            out.write(bytes);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output", e);
        }
        printed++;
    }
}
