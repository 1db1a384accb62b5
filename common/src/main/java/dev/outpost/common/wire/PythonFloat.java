package dev.outpost.common.wire;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Floats as Python writes them with {@code repr} and reads them with {@code float()}, because
 * bpickle's float is exactly {@code "f%r;"} and Java's notation differs ({@code 1.0E10}).
 */
final class PythonFloat {

  /** Python's own literals, without the underscores and spaces float() also tolerates. */
  private static final Pattern LITERAL =
      Pattern.compile(
          "[+-]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity|nan))");

  /** Python switches repr to exponent notation outside 1e-4 <= |x| < 1e16. */
  private static final int LOWEST_FIXED_POINT = -3;

  private static final int HIGHEST_FIXED_POINT = 16;

  /** Seventeen significant digits tell every double apart. */
  private static final int MAX_DIGITS = 17;

  private PythonFloat() {}

  /** The text of {@code repr(value)} in Python 3. */
  static String repr(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    } else if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    // the sign bit, not a comparison, because -0.0 == 0.0
    String sign = Double.doubleToRawLongBits(value) < 0 ? "-" : "";
    if (value == 0) {
      return sign + "0.0";
    }
    BigDecimal shortest = shortest(Math.abs(value));
    String digits = shortest.unscaledValue().toString();
    int point = digits.length() - shortest.scale();
    if (point < LOWEST_FIXED_POINT || point > HIGHEST_FIXED_POINT) {
      return sign + scientific(digits, point - 1);
    } else if (point <= 0) {
      return sign + "0." + "0".repeat(-point) + digits;
    } else if (point >= digits.length()) {
      return sign + digits + "0".repeat(point - digits.length()) + ".0";
    }
    return sign + digits.substring(0, point) + "." + digits.substring(point);
  }

  /** The value of a Python float literal, or nothing when the text is not one. */
  static Optional<Double> parse(String text) {
    if (!LITERAL.matcher(text).matches()) {
      return Optional.empty();
    }
    String lower = text.toLowerCase(Locale.ROOT);
    boolean negative = lower.startsWith("-");
    if (lower.endsWith("nan")) {
      return Optional.of(Double.NaN);
    } else if (lower.endsWith("inf") || lower.endsWith("infinity")) {
      return Optional.of(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }
    // the pattern admits only what Double.parseDouble reads the same way as Python
    return Optional.of(Double.parseDouble(text));
  }

  /**
   * The fewest significant digits that read back as the value and, among those, the nearest to it:
   * what Python's repr prints. Java 17's Double.toString does not promise the fewest.
   */
  private static BigDecimal shortest(double positive) {
    BigDecimal exact = new BigDecimal(positive);
    for (int precision = 1; precision < MAX_DIGITS; precision++) {
      BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (nearest.doubleValue() == positive) {
        return nearest.stripTrailingZeros();
      }
      // the rounding interval can be lopsided at a power of two: try the neighbour on the far side
      BigDecimal down = exact.round(new MathContext(precision, RoundingMode.DOWN));
      BigDecimal other =
          nearest.compareTo(down) == 0
              ? exact.round(new MathContext(precision, RoundingMode.UP))
              : down;
      if (other.doubleValue() == positive) {
        return other.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(MAX_DIGITS, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }

  /** {@code 1.5e+16}: the mantissa keeps no trailing ".0" and the exponent at least two digits. */
  private static String scientific(String digits, int exponent) {
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return String.format("%se%s%02d", mantissa, exponent < 0 ? "-" : "+", Math.abs(exponent));
  }
}
