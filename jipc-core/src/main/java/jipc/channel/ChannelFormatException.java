package jipc.channel;

import java.io.IOException;

/**
 * A segment does not hold a channel this code can use: wrong magic, another layout version, an impossible capacity
 * or message length, or a segment smaller than its header claims. The message names the field and both values.
 */
public final class ChannelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A header that this code does not understand.
     *
     * @param message names the field and both values, e.g. {@code "version=2, expected 3"}
     */
    public ChannelFormatException(String message) {
        super(message);
    }
}
