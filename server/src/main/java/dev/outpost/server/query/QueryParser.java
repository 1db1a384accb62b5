package dev.outpost.server.query;

import dev.outpost.common.error.OutpostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

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
 * Operators are case-insensitive words. Every failure is a 400 naming the word at fault. The syntax
 * is shared by every query language of the server, and so is the tree it becomes ({@link Expr});
 * what a term means is the language's ({@link Grammar}).
 *
 * @param <T> the terms of the language
 */
public final class QueryParser<T extends Expr<T>> {

  /** What a language makes of a term. */
  @FunctionalInterface
  public interface Grammar<T> {

    /**
     * One term {@code key:value}, the value not empty (quotes removed); a key or value the language
     * does not know is a 400 naming it.
     */
    T term(String key, String value);
  }

  /**
   * The key of {@code keys} written {@code word} (case aside), or a 400 naming the word and every
   * key the language knows.
   */
  public static <K extends Enum<K>> K key(K[] keys, Function<K, String> written, String word) {
    String lower = word.toLowerCase(Locale.ROOT);
    for (K key : keys) {
      if (written.apply(key).equals(lower)) {
        return key;
      }
    }
    throw OutpostException.badRequest(
        "unknown query term '"
            + word
            + ":'; known terms are "
            + String.join(", ", Arrays.stream(keys).map(k -> written.apply(k) + ":").toList()));
  }

  /** More terms than any person writes; bounds the SQL parameters one query can take. */
  public static final int MAX_TERMS = 100;

  /**
   * Deeper nesting (parentheses and NOTs together) than any person writes; bounds the recursion a
   * hostile query can cause, here and in the SQL it becomes.
   */
  public static final int MAX_DEPTH = 32;

  /**
   * The longest query, in characters: more than the request line of a GET carries (4,096 bytes),
   * and a bound on what a query in a JSON body makes the parser read.
   */
  public static final int MAX_LENGTH = 8_192;

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

  private final Grammar<T> grammar;
  private final List<Token> tokens;
  private int next;
  private int depth;
  private int terms;

  private QueryParser(Grammar<T> grammar, List<Token> tokens) {
    this.grammar = grammar;
    this.tokens = tokens;
  }

  /** Parses the text; empty when it holds no term at all. */
  public static <T extends Expr<T>> Optional<Expr<T>> parse(Grammar<T> grammar, String text) {
    if (text.length() > MAX_LENGTH) {
      throw OutpostException.badRequest(
          "the query is "
              + text.length()
              + " characters long; at most "
              + MAX_LENGTH
              + " are accepted");
    }
    QueryParser<T> parser = new QueryParser<>(grammar, tokenize(text));
    if (parser.tokens.isEmpty()) {
      return Optional.empty();
    }
    Expr<T> expr = parser.or();
    if (parser.next < parser.tokens.size()) {
      // or() stops only before a ')' it has no '(' for.
      throw OutpostException.badRequest("unbalanced parentheses in the query: ')' has no '('");
    }
    return Optional.of(expr);
  }

  private Expr<T> or() {
    List<Expr<T>> parts = new ArrayList<>(List.of(and()));
    while (peek(Kind.OR)) {
      next++;
      needOperand("OR");
      parts.add(and());
    }
    return parts.size() == 1 ? parts.get(0) : new Expr.Or<>(parts);
  }

  private Expr<T> and() {
    List<Expr<T>> parts = new ArrayList<>(List.of(unary()));
    while (true) {
      if (peek(Kind.AND)) {
        next++;
        needOperand("AND");
      } else if (!peek(Kind.TERM) && !peek(Kind.NOT) && !peek(Kind.OPEN)) {
        break;
      }
      parts.add(unary());
    }
    return parts.size() == 1 ? parts.get(0) : new Expr.And<>(parts);
  }

  private Expr<T> unary() {
    if (peek(Kind.NOT)) {
      next++;
      needOperand("NOT");
      deeper();
      Expr<T> negated = new Expr.Not<>(unary());
      depth--;
      return negated;
    }
    return primary();
  }

  private Expr<T> primary() {
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

  private Expr<T> group() {
    deeper();
    if (peek(Kind.CLOSE)) {
      throw OutpostException.badRequest("empty parentheses '()' in the query");
    }
    if (next == tokens.size()) {
      throw OutpostException.badRequest("unbalanced parentheses in the query: '(' is never closed");
    }
    Expr<T> inside = or();
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

  private Expr<T> term(String word) {
    if (++terms > MAX_TERMS) {
      throw OutpostException.badRequest("the query has more than " + MAX_TERMS + " terms");
    }
    int colon = word.indexOf(':');
    if (colon <= 0) {
      throw OutpostException.badRequest("query term '" + word + "' is not of the form key:value");
    }
    String value = word.substring(colon + 1);
    if (value.isEmpty()) {
      throw OutpostException.badRequest("query term '" + word + "' has no value");
    }
    return grammar.term(word.substring(0, colon), value);
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
