package jipc.topic;

import java.io.IOException;

/**
 * A segment does not hold a topic this code can use: wrong magic, another layout version, an impossible capacity,
 * message length, flag or slot count, or a segment smaller than its header claims. The message names the field and
 * both values.
 */
public final class TopicFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A header that this code does not understand.
     *
     * @param message names the field and both values
     */
    public TopicFormatException(String message) {
        super(message);
    }
}
