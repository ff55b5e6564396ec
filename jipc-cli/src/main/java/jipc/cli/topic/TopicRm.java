package jipc.cli.topic;

import java.util.concurrent.Callable;

import jipc.ErrnoException;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.topic.SharedTopic;
import jipc.topic.TopicFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc topic rm [-f] NAME}: removes the topic's name; processes attached keep using it until they close. */
@Command(name = "rm", description = "Remove the topic (shm_unlink) after checking that NAME is a topic. Processes that "
        + "have it open keep using it; new attaches fail.")
public final class TopicRm implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The topic's name: /name.")
    String name;

    @Option(names = {"-f", "--force"}, description = "No error if there is no such topic.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try (SharedTopic topic = SharedTopic.attach(name)) {
            topic.unlink();
        } catch (TopicFormatException e) {
            throw new Failure(ExitCodes.NO_INPUT, name + " is not a jipc topic (" + e.getMessage()
                    + "); left alone: 'jipc shm rm' removes any shared memory object");
        } catch (ErrnoException e) {
            if (e.is("ENOENT") && force) {
                return 0;
            }
            throw e;
        }
        return 0;
    }
}
