package dev.outpost.server.computer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.computer.ComputerQuery.Key;
import dev.outpost.server.computer.ComputerQuery.Term;
import dev.outpost.server.query.Expr;
import dev.outpost.server.query.Expr.And;
import dev.outpost.server.query.Expr.Not;
import dev.outpost.server.query.Expr.Or;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The computer query parser: what any text parses to, or the 400 it is refused with. */
class ComputerQueryPropertiesTest {

  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");

  /** Text of any characters, and text made of the language's own words and signs. */
  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(60),
        Arbitraries.of(
                "tag:",
                "web",
                "title:",
                "db-*",
                "id:",
                "7",
                "pending:",
                "true",
                " OR ",
                " AND ",
                " NOT ",
                "(",
                ")",
                "\"",
                "\\",
                " ",
                "registered-after:",
                "2h",
                "2030-01-31")
            .list()
            .ofMaxSize(12)
            .map(words -> String.join("", words)));
  }

  /** Expression trees of every term, nested up to three levels. */
  @Provide
  Arbitrary<Expr<Term>> expressions() {
    return Arbitraries.recursive(this::terms, this::compound, 0, 3);
  }

  private Arbitrary<Expr<Term>> compound(Arbitrary<Expr<Term>> inner) {
    return Arbitraries.oneOf(
        inner.list().ofMinSize(2).ofMaxSize(3).map(And::new),
        inner.list().ofMinSize(2).ofMaxSize(3).map(Or::new),
        inner.map(Not::new));
  }

  private Arbitrary<Expr<Term>> terms() {
    Arbitrary<String> words =
        Arbitraries.strings().withChars("abcXYZ09-_.*( )\"\\:").ofMinLength(1).ofMaxLength(10);
    Arbitrary<Instant> times =
        Arbitraries.longs().between(0, 4_000_000_000L).map(Instant::ofEpochSecond);
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, Long.MAX_VALUE).map(id -> new Term(Key.ID, id)),
        words.map(w -> new Term(Key.TITLE, w)),
        words.map(w -> new Term(Key.HOSTNAME, w)),
        words.map(w -> new Term(Key.TAG, w)),
        times.map(t -> new Term(Key.REGISTERED_AFTER, t)),
        times.map(t -> new Term(Key.REGISTERED_BEFORE, t)),
        times.map(t -> new Term(Key.LAST_EXCHANGE_AFTER, t)),
        times.map(t -> new Term(Key.LAST_EXCHANGE_BEFORE, t)),
        Arbitraries.of(true, false).map(p -> new Term(Key.PENDING, p)));
  }

  /**
   * Verifies that any text either parses or is refused with a 400 naming the problem: never another
   * failure, whatever it holds.
   */
  @Property(tries = 2000)
  void anyTextParsesOrIsA400(@ForAll("anyText") String text) {
    try {
      ComputerQuery.parse(text, NOW);
    } catch (OutpostException e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  /**
   * Verifies that a tree written out as a query, values quoted, parses back to the same tree, the
   * operators written in any case.
   */
  @Property(tries = 500)
  void aWrittenTreeParsesBackToItself(
      @ForAll("expressions") Expr<Term> expr, @ForAll boolean lowerCase) {
    String text = write(expr, lowerCase);

    assertThat(ComputerQuery.parse(text, NOW).expression()).as(text).contains(expr);
  }

  /** Verifies that terms side by side mean AND, and that AND binds tighter than OR. */
  @Property(tries = 200)
  void andBindsTighterThanOr(
      @ForAll("expressions") Expr<Term> a, @ForAll("expressions") Expr<Term> b) {
    String left = "(" + write(a, false) + ")";
    String right = "(" + write(b, false) + ")";

    assertThat(ComputerQuery.parse(left + " " + right + " OR " + left, NOW).expression())
        .contains(new Or<>(List.of(new And<>(List.of(a, b)), a)));
    assertThat(ComputerQuery.parse(left + " AND " + right, NOW).expression())
        .contains(new And<>(List.of(a, b)));
  }

  /** Verifies that a relative time is that long before now, in each unit. */
  @Property(tries = 200)
  void relativeTimesCountBackFromNow(@ForAll @IntRange(min = 0, max = 5000) int amount) {
    assertThat(time("registered-after:" + amount + "m"))
        .isEqualTo(NOW.minus(Duration.ofMinutes(amount)));
    assertThat(time("registered-before:" + amount + "h"))
        .isEqualTo(NOW.minus(Duration.ofHours(amount)));
    assertThat(time("last-exchange-before:" + amount + "d"))
        .isEqualTo(NOW.minus(Duration.ofDays(amount)));
    assertThat(time("last-exchange-after:" + amount + "W"))
        .isEqualTo(NOW.minus(Duration.ofDays(7L * amount)));
  }

  /**
   * Verifies that a title without {@code *} becomes a LIKE pattern matching only itself: LIKE's own
   * signs are escaped, and only {@code *} becomes {@code %}.
   */
  @Property(tries = 200)
  void likePatternsEscapeLikesOwnSigns(@ForAll("anyText") String title) {
    String pattern = ComputerQuerySql.likePattern(title);

    StringBuilder unescaped = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        c = pattern.charAt(++i);
        assertThat(c).isIn('%', '_', '\\');
      } else {
        assertThat(c).isNotIn('_', '\\');
        c = c == '%' ? '*' : c;
      }
      unescaped.append(c);
    }
    assertThat(unescaped.toString()).isEqualTo(title);
  }

  /** Verifies that every bad term, value or operator is a 400 naming it. */
  @Example
  void badTermsAreRefusedByName() {
    refused("colour:red", "'colour:'");
    refused("id:web", "'web'");
    refused("pending:maybe", "'maybe'");
    refused("registered-after:yesterday", "'yesterday'");
    refused("last-exchange-before:2y", "'2y'");
    refused("registered-after:999999999w", "more than 36500 days");
    refused("tag:web OR", "'OR' needs a term after it");
    refused("(tag:web", "'(' is never closed");
    refused("tag:", "'tag:' has no value");
    refused("computer:tag:web", "'computer:'");
  }

  /** Verifies that an empty query selects everything: it has no expression. */
  @Example
  void anEmptyQuerySelectsEverything() {
    assertThat(ComputerQuery.parse("  ", NOW).expression()).isEmpty();
    assertThat(new ComputerQuerySql(new ArrayList<>(), NOW).condition(ComputerQuery.parse("", NOW)))
        .isEqualTo("TRUE");
  }

  /** Verifies that values travel as parameters only, and titles with * become LIKE. */
  @Example
  void compilesToParameterisedSql() {
    List<Object> params = new ArrayList<>(List.of(7L));
    String sql =
        new ComputerQuerySql(params, NOW)
            .condition(ComputerQuery.parse("tag:web OR NOT title:\"db-*' OR 1=1\"", NOW));

    assertThat(sql)
        .isEqualTo("(c.tags @> ARRAY[$2::text] OR NOT COALESCE(c.title LIKE $3, FALSE))");
    assertThat(params).containsExactly(7L, "web", "db-%' OR 1=1");
  }

  private static Instant time(String query) {
    return (Instant) ((Term) ComputerQuery.parse(query, NOW).expression().orElseThrow()).value();
  }

  private static void refused(String query, String named) {
    assertThatThrownBy(() -> ComputerQuery.parse(query, NOW))
        .isInstanceOfSatisfying(
            OutpostException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage()).contains(named);
            });
  }

  /** The query text of a tree: every group in parentheses, every value quoted. */
  private static String write(Expr<Term> expr, boolean lowerCase) {
    if (expr instanceof Term term) {
      return term.key().word() + ":" + quoted(value(term));
    }
    if (expr instanceof And<Term> and) {
      return group(and.parts(), lowerCase ? " and " : " AND ", lowerCase);
    }
    if (expr instanceof Or<Term> or) {
      return group(or.parts(), lowerCase ? " or " : " OR ", lowerCase);
    }
    return (lowerCase ? "not " : "NOT ") + "(" + write(((Not<Term>) expr).part(), lowerCase) + ")";
  }

  private static String group(List<Expr<Term>> parts, String operator, boolean lowerCase) {
    return parts.stream()
        .map(part -> "(" + write(part, lowerCase) + ")")
        .collect(Collectors.joining(operator));
  }

  private static String value(Term term) {
    return term.value() instanceof Instant instant ? instant.toString() : term.value().toString();
  }

  private static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
