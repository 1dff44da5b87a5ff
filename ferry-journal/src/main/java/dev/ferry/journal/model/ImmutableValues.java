package dev.ferry.journal.model;

import java.util.List;

/**
 * A list of values known to be immutable (the journal's lazily decoded rows), which a
 * {@link Change} keeps as it is instead of copying. Implementations are immutable and thread-safe.
 */
public interface ImmutableValues extends List<Value> {
  /** {@code values} itself if it is already immutable, else {@link List#copyOf}. */
  static List<Value> of(List<Value> values) {
    return values instanceof ImmutableValues ? values : List.copyOf(values);
  }
}
