package dev.ferry.node.run;

import java.util.Optional;
import java.util.function.Function;

/**
 * A feature a source kind has (its part), or the reason it lacks it, written for the user with
 * what to do instead. Commands ask the {@link SourceSpec} for the feature, never which kind the
 * source is.
 *
 * @param <T> the part that does the work
 */
public record SourceFeature<T>(Optional<T> part, String lacking) {
  public SourceFeature {
    if (part.isEmpty() && (lacking == null || lacking.isBlank())) {
      throw new IllegalArgumentException("a feature the source lacks needs the reason");
    }
  }

  /** The source has the feature. */
  public static <T> SourceFeature<T> of(T part) {
    return new SourceFeature<>(Optional.of(part), "");
  }

  /** The source lacks the feature: {@code why} says so and what to do instead. */
  public static <T> SourceFeature<T> lacking(String why) {
    return new SourceFeature<>(Optional.empty(), why);
  }

  /** The part, or the exception {@code refusal} makes of the reason. */
  public <E extends Exception> T orElseThrow(Function<String, E> refusal) throws E {
    if (part.isEmpty()) {
      throw refusal.apply(lacking);
    }
    return part.get();
  }
}
