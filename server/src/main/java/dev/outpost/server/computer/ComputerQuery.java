package dev.outpost.server.computer;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.query.Expr;
import dev.outpost.server.query.QueryParser;
import dev.outpost.server.query.QueryValues;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The computer query language: the activities' syntax ({@link QueryParser}: terms {@code key:value}
 * side by side or joined by {@code AND}, {@code OR}, {@code NOT}, parentheses) with the terms of
 * computers. Times are ISO-8601 or relative to now ({@code 30m}, {@code 2h}, {@code 3d}, {@code
 * 1w}), resolved when the query is parsed; {@code *} in a title or hostname stands for any run of
 * characters.
 */
public final class ComputerQuery {

  /**
   * One term; the value is checked and typed: a {@code Long} for {@code id:}, the text for titles,
   * hostnames and tags, an {@code Instant} for times, a {@code Boolean} for {@code pending:}.
   */
  public record Term(Key key, Object value) implements Expr<Term> {}

  /** The keys the language knows. */
  public enum Key {
    ID("id"),
    TITLE("title"),
    HOSTNAME("hostname"),
    TAG("tag"),
    REGISTERED_AFTER("registered-after"),
    REGISTERED_BEFORE("registered-before"),
    LAST_EXCHANGE_AFTER("last-exchange-after"),
    LAST_EXCHANGE_BEFORE("last-exchange-before"),
    PENDING("pending");

    private final String word;

    Key(String word) {
      this.word = word;
    }

    /** The key as written in a query. */
    public String word() {
      return word;
    }

    static Key parse(String word) {
      return QueryParser.key(values(), Key::word, word);
    }
  }

  /** The longest relative time: a hundred years. */
  static final Duration MAX_AGO = Duration.ofDays(36_500);

  private static final Pattern RELATIVE = Pattern.compile("(\\d{1,9})([mhdw])");

  private final String text;
  private final Optional<Expr<Term>> expression;

  private ComputerQuery(String text, Optional<Expr<Term>> expression) {
    this.text = text;
    this.expression = expression;
  }

  /**
   * Parses a query, relative times counted back from {@code now}; fails with a 400 naming the first
   * unknown term or value, or the operator or parenthesis that has nothing to apply to. A query
   * without terms selects every computer.
   */
  public static ComputerQuery parse(String text, Instant now) {
    return new ComputerQuery(text, QueryParser.parse(new Grammar(now), text));
  }

  /** The query as it was written. */
  public String text() {
    return text;
  }

  /** The expression tree; empty for the query that selects every computer. */
  public Optional<Expr<Term>> expression() {
    return expression;
  }

  /** The terms of computers, relative times counted back from {@code now}. */
  private record Grammar(Instant now) implements QueryParser.Grammar<Term> {

    @Override
    public Term term(String word, String value) {
      Key key = Key.parse(word);
      return new Term(key, value(key, value));
    }

    private Object value(Key key, String value) {
      return switch (key) {
        case ID -> QueryValues.number(key.word(), value);
        case TITLE, HOSTNAME, TAG -> value;
        case REGISTERED_AFTER, REGISTERED_BEFORE, LAST_EXCHANGE_AFTER, LAST_EXCHANGE_BEFORE ->
            time(key, value);
        case PENDING ->
            switch (value.toLowerCase(Locale.ROOT)) {
              case "true" -> true;
              case "false" -> false;
              default ->
                  throw OutpostException.badRequest(
                      "query term 'pending:' needs true or false, not '" + value + "'");
            };
      };
    }

    /** An ISO-8601 date or date-time, or a time ago: {@code 30m}, {@code 2h}, {@code 3d}. */
    private Instant time(Key key, String value) {
      Matcher relative = RELATIVE.matcher(value.toLowerCase(Locale.ROOT));
      if (!relative.matches()) {
        return QueryValues.isoTime(value)
            .orElseThrow(
                () ->
                    OutpostException.badRequest(
                        "query term '"
                            + key.word()
                            + ":' needs an ISO-8601 date or date-time such as 2030-01-31 or"
                            + " 2030-01-31T12:00:00Z, or a time ago such as 30m, 2h, 3d or 1w,"
                            + " not '"
                            + value
                            + "'"));
      }
      long amount = Long.parseLong(relative.group(1));
      Duration unit =
          switch (relative.group(2)) {
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            case "d" -> Duration.ofDays(1);
            default -> Duration.ofDays(7);
          };
      if (amount > MAX_AGO.dividedBy(unit)) {
        throw OutpostException.badRequest(
            "query term '"
                + key.word()
                + ":"
                + value
                + "' reaches back more than "
                + MAX_AGO.toDays()
                + " days");
      }
      return now.minus(unit.multipliedBy(amount));
    }
  }
}
