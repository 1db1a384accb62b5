package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Floats as Python 3 prints and reads them; the expected texts come from CPython's repr. */
class PythonFloatTest {

  static Stream<Arguments> reprs() {
    return Stream.of(
        Arguments.of(1.5, "1.5"),
        Arguments.of(1e100, "1e+100"),
        Arguments.of(1e16, "1e+16"),
        Arguments.of(1e15, "1000000000000000.0"),
        Arguments.of(0.0001, "0.0001"),
        Arguments.of(1e-5, "1e-05"),
        Arguments.of(0.1 + 0.2, "0.30000000000000004"),
        Arguments.of(1.0 / 3, "0.3333333333333333"),
        Arguments.of(Double.MIN_VALUE, "5e-324"),
        Arguments.of(3 * Double.MIN_VALUE, "1.5e-323"),
        Arguments.of(Double.MAX_VALUE, "1.7976931348623157e+308"),
        Arguments.of(123456789012345680.0, "1.2345678901234568e+17"),
        Arguments.of(1e22, "1e+22"),
        Arguments.of(1e23, "1e+23"),
        Arguments.of(100.0, "100.0"),
        Arguments.of(-2.5, "-2.5"),
        Arguments.of(0.0, "0.0"),
        Arguments.of(-0.0, "-0.0"),
        // the nearest 16-digit decimal reads back as a neighbour: repr takes the one above
        Arguments.of(Math.scalb(1.0, -1017), "7.120236347223045e-307"),
        Arguments.of(Double.NaN, "nan"),
        Arguments.of(Double.NEGATIVE_INFINITY, "-inf"));
  }

  /** Verifies that repr gives CPython's text and that the text reads back to the same double. */
  @ParameterizedTest(name = "{1}")
  @MethodSource("reprs")
  void reprMatchesCpythonAndReadsBack(double value, String python) {
    assertThat(PythonFloat.repr(value)).isEqualTo(python);
    assertThat(PythonFloat.parse(python)).contains(value);
  }

  /** Verifies that the other spellings Python's float() accepts are read. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({
    "1., 1.0",
    ".5, 0.5",
    "+2, 2.0",
    "1E3, 1000.0",
    "-1e-2, -0.01",
    "007.50, 7.5",
    "Infinity, Infinity",
    "-INF, -Infinity",
    "NaN, NaN",
    "1e999, Infinity"
  })
  void readsOtherPythonSpellings(String literal, double expected) {
    assertThat(PythonFloat.parse(literal)).contains(expected);
  }

  /** Verifies that Java-only spellings, and the forms we chose not to read, are refused. */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "", "-", ".", "e5", "1.5d", "1.5f", "0x1p3", "1_000.0", " 1.5", "1.5 ", "1e", "1e+",
        "infinit", "--1", "1.2.3"
      })
  void refusesWhatIsNotAPythonLiteral(String literal) {
    assertThat(PythonFloat.parse(literal)).isEmpty();
  }
}
