package jipc.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jipc.channel.MessageHandler;

/**
 * The handler of the in-process (JMH) benchmarks: adds up each message's first long (its sequence number), so a poll
 * really touches the payload and the JIT cannot drop the reads; the benchmarks return {@link #sum}.
 */
final class FirstLongSink implements MessageHandler {
    long sum;

    @Override
    public void onMessage(int type, MemorySegment message) {
        sum += message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }
}
