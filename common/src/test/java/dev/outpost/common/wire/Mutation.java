package dev.outpost.common.wire;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One damage done to a valid encoding: cut it, replace, insert or drop a byte. Positions wrap
 * around the body's length so any generated number lands inside it.
 */
record Mutation(Kind kind, int position, byte replacement) {

  /** The ways to damage a body. */
  enum Kind {
    TRUNCATE,
    REPLACE,
    INSERT,
    DELETE
  }

  /** The bytes that open, separate and close values in bpickle and in JSON. */
  private static final String STRUCTURAL = "bifsultdn0123456789:;-.e{}[]\",";

  /** Any mutation. */
  static Arbitrary<Mutation> any() {
    return Combinators.combine(
            Arbitraries.of(Kind.class), Arbitraries.integers().greaterOrEqual(0), bytes())
        .as(Mutation::new);
  }

  /** Bytes, half of them structural ones, which reach deeper into a decoder than noise does. */
  static Arbitrary<Byte> bytes() {
    return Arbitraries.oneOf(
        Arbitraries.chars().with(STRUCTURAL).map(c -> (byte) c.charValue()), Arbitraries.bytes());
  }

  /** The damaged copy of a body. */
  byte[] applyTo(byte[] body) {
    int length = body.length;
    switch (kind) {
      case TRUNCATE:
        return Arrays.copyOf(body, position % (length + 1));
      case REPLACE:
        if (length == 0) {
          return new byte[] {replacement};
        }
        byte[] replaced = body.clone();
        replaced[position % length] = replacement;
        return replaced;
      case INSERT:
        int at = position % (length + 1);
        byte[] inserted = new byte[length + 1];
        System.arraycopy(body, 0, inserted, 0, at);
        inserted[at] = replacement;
        System.arraycopy(body, at, inserted, at + 1, length - at);
        return inserted;
      default:
        if (length == 0) {
          return body;
        }
        int drop = position % length;
        byte[] dropped = new byte[length - 1];
        System.arraycopy(body, 0, dropped, 0, drop);
        System.arraycopy(body, drop + 1, dropped, drop, length - drop - 1);
        return dropped;
    }
  }
}
