package dev.outpost.server.query;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A parsed query of any language: its terms ({@code T}, each an expression itself) joined by AND,
 * OR and NOT.
 */
public interface Expr<T extends Expr<T>> {

  /** Every part holds. */
  record And<T extends Expr<T>>(List<Expr<T>> parts) implements Expr<T> {
    /** Keeps an immutable copy of the parts. */
    public And {
      parts = List.copyOf(parts);
    }
  }

  /** At least one part holds. */
  record Or<T extends Expr<T>>(List<Expr<T>> parts) implements Expr<T> {
    /** Keeps an immutable copy of the parts. */
    public Or {
      parts = List.copyOf(parts);
    }
  }

  /** The part does not hold. */
  record Not<T extends Expr<T>>(Expr<T> part) implements Expr<T> {}

  /**
   * The expression as a SQL condition, each term of type {@code termType} written by {@code term}.
   * SQL's NULL would make NOT unknown where a term is merely false, so NOT folds it to FALSE first.
   */
  static <T extends Expr<T>> String sql(Expr<T> expr, Class<T> termType, Function<T, String> term) {
    if (expr instanceof And<T> and) {
      return sql(and.parts(), termType, term, " AND ");
    }
    if (expr instanceof Or<T> or) {
      return sql(or.parts(), termType, term, " OR ");
    }
    if (expr instanceof Not<T> not) {
      return "NOT COALESCE(" + sql(not.part(), termType, term) + ", FALSE)";
    }
    return term.apply(termType.cast(expr));
  }

  private static <T extends Expr<T>> String sql(
      List<Expr<T>> parts, Class<T> termType, Function<T, String> term, String operator) {
    return parts.stream()
        .map(part -> sql(part, termType, term))
        .collect(Collectors.joining(operator, "(", ")"));
  }
}
