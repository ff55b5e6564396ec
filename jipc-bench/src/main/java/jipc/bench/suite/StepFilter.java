package jipc.bench.suite;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Which steps of the selected benchmarks run ({@code jipc bench --steps}): those whose {@link Step#name() name}
 * contains one of the {@code texts} (case-sensitive substrings), or every step if there are no texts.
 *
 * @param texts the substrings; empty selects every step
 */
public record StepFilter(List<String> texts) {
    /** Every step. */
    public static final StepFilter ALL = new StepFilter(List.of());

    /** @throws IllegalArgumentException if a text is empty (it would select every step) */
    public StepFilter {
        texts = List.copyOf(texts);
        if (texts.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("--steps: an empty text would select every step: " + texts);
        }
    }

    /** Whether {@code step} runs. */
    public boolean selects(Step step) {
        return texts.isEmpty() || texts.stream().anyMatch(step.name()::contains);
    }

    /** The steps of {@code steps} this filter selects, in their order. */
    public List<Step> apply(List<Step> steps) {
        return steps.stream().filter(this::selects).toList();
    }

    /** {@code "steps containing 'a' or 'b'"}, or {@code "all steps"}. */
    public String describe() {
        return texts.isEmpty() ? "all steps"
                : texts.stream().map(t -> "'" + t + "'").collect(Collectors.joining(" or ", "steps containing ", ""));
    }
}
