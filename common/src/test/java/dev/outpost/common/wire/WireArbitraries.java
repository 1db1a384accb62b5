package dev.outpost.common.wire;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Generators of the value model, for the codecs' properties. */
final class WireArbitraries {

  /** Deep enough to nest every container in every other, small enough to stay fast. */
  private static final int DEPTH = 4;

  private static final int WIDTH = 4;

  private WireArbitraries() {}

  /** Any value bpickle can carry. */
  static Arbitrary<Object> bpickleValues() {
    return values(DEPTH, true);
  }

  /** The values JSON carries without loss: no bytes, no tuples, finite floats, text keys. */
  static Arbitrary<Object> jsonValues() {
    return values(DEPTH, false);
  }

  private static Arbitrary<Object> values(int depth, boolean bpickle) {
    Arbitrary<Object> scalars = scalars(bpickle);
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<Object> inner = Arbitraries.lazy(() -> values(depth - 1, bpickle));
    Arbitrary<List<Object>> lists = inner.list().ofMaxSize(WIDTH);
    Arbitrary<Map<Object, Object>> dicts = Arbitraries.maps(keys(bpickle), inner).ofMaxSize(WIDTH);
    if (!bpickle) {
      return Arbitraries.<Object>oneOf(scalars, scalars, lists, dicts);
    }
    Arbitrary<Tuple> tuples = inner.list().ofMaxSize(WIDTH).map(Tuple::new);
    return Arbitraries.<Object>oneOf(scalars, scalars, lists, tuples, dicts);
  }

  private static Arbitrary<Object> scalars(boolean bpickle) {
    Arbitrary<Object> shared =
        Arbitraries.<Object>oneOf(
            Arbitraries.of(true, false),
            Arbitraries.longs(),
            bigIntegers(),
            finiteDoubles(),
            texts());
    if (!bpickle) {
      return shared.injectNull(0.05);
    }
    return Arbitraries.<Object>oneOf(shared, shared, specialDoubles(), bytes()).injectNull(0.05);
  }

  /** Integers beyond a long, normalised as the decoder returns them. */
  private static Arbitrary<Object> bigIntegers() {
    BigInteger bound = BigInteger.TEN.pow(40);
    return Arbitraries.bigIntegers().between(bound.negate(), bound).map(Values::integer);
  }

  /** Random bit patterns reach every exponent, which a uniform range would not. */
  private static Arbitrary<Double> finiteDoubles() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite),
        Arbitraries.doubles().between(-1e6, 1e6),
        Arbitraries.of(0.0, -0.0, 1.5, 0.1, 1e16, 1e-5, Double.MIN_VALUE, Double.MAX_VALUE));
  }

  private static Arbitrary<Double> specialDoubles() {
    return Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }

  /** Text over all code points, surrogates excepted since they have no UTF-8 form. */
  static Arbitrary<String> texts() {
    Arbitrary<String> anyCodePoints =
        Arbitraries.integers()
            .between(0, Character.MAX_CODE_POINT)
            .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
            .list()
            .ofMaxSize(8)
            .map(
                cps ->
                    new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
    return Arbitraries.oneOf(anyCodePoints, Arbitraries.strings().alpha().ofMaxLength(8));
  }

  private static Arbitrary<Bytes> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(12).map(Bytes::of);
  }

  private static Arbitrary<Object> keys(boolean bpickle) {
    if (!bpickle) {
      return Arbitraries.<Object>oneOf(texts());
    }
    return Arbitraries.<Object>oneOf(texts(), bytes(), Arbitraries.longs());
  }
}
