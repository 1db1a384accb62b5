package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.activity.ActivityQuery.And;
import dev.outpost.server.activity.ActivityQuery.ComputerField;
import dev.outpost.server.activity.ActivityQuery.ComputerMatch;
import dev.outpost.server.activity.ActivityQuery.Expr;
import dev.outpost.server.activity.ActivityQuery.Key;
import dev.outpost.server.activity.ActivityQuery.Not;
import dev.outpost.server.activity.ActivityQuery.Or;
import dev.outpost.server.activity.ActivityQuery.Term;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A recursive-descent parser of the query language:
 *
 * <pre>
 * query   = [ or ]
 * or      = and { "OR" and }
 * and     = unary { [ "AND" ] unary }
 * unary   = "NOT" unary | primary
 * primary = "(" or ")" | term
 * term    = key ":" value          (a value may be "double quoted" to hold spaces or parentheses)
 * </pre>
 *
 * Operators are case-insensitive words. Every failure is a 400 naming the word at fault.
 */
final class QueryParser {

  /** More terms than any person writes; bounds the SQL parameters one query can take. */
  static final int MAX_TERMS = 100;

  /**
   * Deeper nesting (parentheses and NOTs together) than any person writes; bounds the recursion a
   * hostile query can cause, here and in the SQL it becomes.
   */
  static final int MAX_DEPTH = 32;

  /**
   * The longest query, in characters: more than the request line of a GET carries (4,096 bytes),
   * and a bound on what a query in a JSON body makes the parser read.
   */
  static final int MAX_LENGTH = 8_192;

  private static final Instant EARLIEST =
      LocalDate.of(1, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
  private static final Instant LATEST =
      LocalDate.of(10_000, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

  private enum Kind {
    OPEN,
    CLOSE,
    AND,
    OR,
    NOT,
    TERM
  }

  /** A word of the query: {@code text} is the term as decoded, quotes removed. */
  private record Token(Kind kind, String text) {}

  private final List<Token> tokens;
  private int next;
  private int depth;
  private int terms;

  private QueryParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** Parses the text; empty when it holds no term at all. */
  static Optional<Expr> parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw OutpostException.badRequest(
          "the query is "
              + text.length()
              + " characters long; at most "
              + MAX_LENGTH
              + " are accepted");
    }
    QueryParser parser = new QueryParser(tokenize(text));
    if (parser.tokens.isEmpty()) {
      return Optional.empty();
    }
    Expr expr = parser.or();
    if (parser.next < parser.tokens.size()) {
      // or() stops only before a ')' it has no '(' for.
      throw OutpostException.badRequest("unbalanced parentheses in the query: ')' has no '('");
    }
    return Optional.of(expr);
  }

  private Expr or() {
    List<Expr> parts = new ArrayList<>(List.of(and()));
    while (peek(Kind.OR)) {
      next++;
      needOperand("OR");
      parts.add(and());
    }
    return parts.size() == 1 ? parts.get(0) : new Or(parts);
  }

  private Expr and() {
    List<Expr> parts = new ArrayList<>(List.of(unary()));
    while (true) {
      if (peek(Kind.AND)) {
        next++;
        needOperand("AND");
      } else if (!peek(Kind.TERM) && !peek(Kind.NOT) && !peek(Kind.OPEN)) {
        break;
      }
      parts.add(unary());
    }
    return parts.size() == 1 ? parts.get(0) : new And(parts);
  }

  private Expr unary() {
    if (peek(Kind.NOT)) {
      next++;
      needOperand("NOT");
      deeper();
      Expr negated = new Not(unary());
      depth--;
      return negated;
    }
    return primary();
  }

  private Expr primary() {
    Token token = tokens.get(next++);
    return switch (token.kind()) {
      case TERM -> term(token.text());
      case OPEN -> group();
      case CLOSE ->
          throw OutpostException.badRequest("unbalanced parentheses in the query: ')' has no '('");
      case AND, OR ->
          throw OutpostException.badRequest("'" + token.text() + "' needs a term before it");
      case NOT -> throw new IllegalStateException("unary() takes NOT");
    };
  }

  /** One level more of parentheses or NOT. */
  private void deeper() {
    if (++depth > MAX_DEPTH) {
      throw OutpostException.badRequest(
          "the query nests parentheses and NOTs deeper than " + MAX_DEPTH + " levels");
    }
  }

  private Expr group() {
    deeper();
    if (peek(Kind.CLOSE)) {
      throw OutpostException.badRequest("empty parentheses '()' in the query");
    }
    if (next == tokens.size()) {
      throw OutpostException.badRequest("unbalanced parentheses in the query: '(' is never closed");
    }
    Expr inside = or();
    if (!peek(Kind.CLOSE)) {
      throw OutpostException.badRequest("unbalanced parentheses in the query: '(' is never closed");
    }
    next++;
    depth--;
    return inside;
  }

  /** After an operator: the query must go on with something an operand can start with. */
  private void needOperand(String operator) {
    if (next == tokens.size() || peek(Kind.OR) || peek(Kind.AND) || peek(Kind.CLOSE)) {
      throw OutpostException.badRequest("'" + operator + "' needs a term after it");
    }
  }

  private boolean peek(Kind kind) {
    return next < tokens.size() && tokens.get(next).kind() == kind;
  }

  private Term term(String word) {
    if (++terms > MAX_TERMS) {
      throw OutpostException.badRequest("the query has more than " + MAX_TERMS + " terms");
    }
    int colon = word.indexOf(':');
    if (colon <= 0) {
      throw OutpostException.badRequest("query term '" + word + "' is not of the form key:value");
    }
    Key key = Key.parse(word.substring(0, colon));
    String value = word.substring(colon + 1);
    if (value.isEmpty()) {
      throw OutpostException.badRequest("query term '" + word + "' has no value");
    }
    return new Term(key, value(key, value));
  }

  private static Object value(Key key, String value) {
    return switch (key) {
      case ID, PARENT_ID, COMPUTER_ID -> number(key.word(), value);
      case STATUS ->
          Status.parse(value)
              .orElseThrow(
                  () ->
                      OutpostException.badRequest(
                          "unknown status '"
                              + value
                              + "'; known: queued scheduled waiting blocked in-progress failed canceled succeeded"
                              + " undelivered delivered unapproved"))
              .wireName();
      case TYPE -> {
        if (!ActivityType.GROUP.equals(value) && ActivityTypes.find(value).isEmpty()) {
          throw OutpostException.badRequest("unknown activity type '" + value + "'");
        }
        yield value;
      }
      case CREATOR -> value;
      case CREATED_AFTER, CREATED_BEFORE -> time(key, value);
      case COMPUTER -> computer(value);
    };
  }

  /** {@code id:5}, {@code title:web-1} or {@code tag:web}: the part after {@code computer:}. */
  private static ComputerMatch computer(String value) {
    int colon = value.indexOf(':');
    String field = colon < 0 ? value : value.substring(0, colon);
    String wanted = colon < 0 ? "" : value.substring(colon + 1);
    for (ComputerField known : ComputerField.values()) {
      if (known.word().equals(field.toLowerCase(Locale.ROOT))) {
        if (wanted.isEmpty()) {
          throw OutpostException.badRequest("query term 'computer:" + value + "' has no value");
        }
        return new ComputerMatch(
            known, known == ComputerField.ID ? number("computer:id", wanted) : wanted);
      }
    }
    throw OutpostException.badRequest(
        "unknown computer field '"
            + field
            + "' in 'computer:"
            + value
            + "'; use computer:id:N, computer:title:T or computer:tag:T");
  }

  private static long number(String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest(
          "query term '" + key + ":' needs a number, not '" + value + "'");
    }
  }

  /** An ISO-8601 date (its midnight UTC) or date-time (UTC unless it names an offset). */
  private static Instant time(Key key, String value) {
    Instant instant;
    try {
      instant = parseTime(value);
    } catch (DateTimeParseException e) {
      instant = null;
    }
    // Years past 9999 parse but are beyond what a timestamptz comparison should be asked.
    if (instant == null || instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)) {
      throw OutpostException.badRequest(
          "query term '"
              + key.word()
              + ":' needs an ISO-8601 date or date-time such as 2030-01-31 or 2030-01-31T12:00:00Z,"
              + " not '"
              + value
              + "'");
    }
    return instant;
  }

  private static Instant parseTime(String value) {
    if (value.indexOf('T') < 0 && value.indexOf('t') < 0) {
      return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    String upper = value.toUpperCase(Locale.ROOT);
    try {
      return OffsetDateTime.parse(upper).toInstant();
    } catch (DateTimeParseException noOffset) {
      return LocalDateTime.parse(upper).toInstant(ZoneOffset.UTC);
    }
  }

  private static List<Token> tokenize(String text) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')') {
        tokens.add(new Token(c == '(' ? Kind.OPEN : Kind.CLOSE, String.valueOf(c)));
        i++;
      } else {
        i = word(text, i, tokens);
      }
    }
    return tokens;
  }

  /** Reads one word from {@code start}; returns where the next begins. */
  private static int word(String text, int start, List<Token> tokens) {
    StringBuilder decoded = new StringBuilder();
    boolean quoted = false;
    int i = start;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || c == '(' || c == ')') {
        break;
      }
      if (c == '"') {
        quoted = true;
        i = quoted(text, i, decoded);
      } else {
        decoded.append(c);
        i++;
      }
    }
    String word = decoded.toString();
    Kind kind =
        quoted
            ? Kind.TERM
            : switch (word.toUpperCase(Locale.ROOT)) {
              case "AND" -> Kind.AND;
              case "OR" -> Kind.OR;
              case "NOT" -> Kind.NOT;
              default -> Kind.TERM;
            };
    tokens.add(new Token(kind, kind == Kind.TERM ? word : word.toUpperCase(Locale.ROOT)));
    return i;
  }

  /**
   * Reads a {@code "..."} section opening at {@code start}, where {@code \"} and {@code \\} stand
   * for a quote and a backslash.
   */
  private static int quoted(String text, int start, StringBuilder decoded) {
    int i = start + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\' && i + 1 < text.length()) {
        c = text.charAt(++i);
      }
      decoded.append(c);
      i++;
    }
    throw OutpostException.badRequest(
        "unterminated quote in the query: "
            + text.substring(start, Math.min(text.length(), start + 40)));
  }
}
