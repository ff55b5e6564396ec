/**
 * jipc's JDK Flight Recorder events: {@code jipc.ChannelWait}, {@code jipc.Recovery}, {@code jipc.OwnerDied}. Only
 * {@link jipc.internal.Jfr} uses this package, and only when {@code jdk.jfr} is present (the module requires it
 * statically), so nothing here is loaded on a runtime without it. Not exported: recordings show the events by their
 * names; no code needs their classes.
 */
package jipc.internal.jfr;
