package dev.outpost.common.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An immutable sequence that bpickle writes as a tuple ({@code t}), distinct from a list.
 *
 * @param items the values, in order; none ({@code null}) is allowed
 */
public record Tuple(List<Object> items) {

  /** Copies the items; {@code List.copyOf} would refuse none. */
  public Tuple {
    items = Collections.unmodifiableList(new ArrayList<>(items));
  }

  /** A tuple of the given values. */
  public static Tuple of(Object... items) {
    return new Tuple(Arrays.asList(items));
  }

  /** The number of items. */
  public int size() {
    return items.size();
  }

  /** The item at an index. */
  public Object get(int index) {
    return items.get(index);
  }
}
