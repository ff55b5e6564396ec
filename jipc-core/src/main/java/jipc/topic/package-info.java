/**
 * Publish/subscribe over shared memory: one {@link jipc.topic.TopicPublisher} writes each message once into a ring,
 * up to 64 {@link jipc.topic.TopicSubscriber}s in any processes read every message in order. The overflow policy is
 * chosen at creation ({@link jipc.topic.OverflowPolicy}): {@code BLOCK} (the publisher waits for the slowest live
 * subscriber) or {@code OVERWRITE} (the publisher never waits; a lapped subscriber counts what it lost).
 * {@link jipc.topic.SharedTopic} keeps a topic in a named POSIX shared memory object. The byte layout is
 * {@code docs/topic-format.md}; {@code native/jipc_topic.h} is the C twin.
 */
package jipc.topic;
