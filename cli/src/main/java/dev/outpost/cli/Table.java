package dev.outpost.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A table of text for people: columns as wide as their widest cell, within a limit. */
final class Table {

  private static final int MAX_CELL = 60;

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... headers) {
    this.headers = List.of(headers);
  }

  Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      String text = cell == null ? "" : clean(cell.toString(), false);
      row.add(text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 1) + "…" : text);
    }
    rows.add(row);
    return this;
  }

  void print(PrintWriter out) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    line(out, headers, widths);
    rows.forEach(row -> line(out, row, widths));
  }

  private static void line(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      line.append(i == cells.size() - 1 ? cells.get(i) : pad(cells.get(i), widths[i] + 2));
    }
    out.println(line.toString().stripTrailing());
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(Math.max(0, width - text.length()));
  }

  /**
   * Text from the server (agents' results, titles, tags: anyone's) made safe for a terminal: no
   * escape sequences or other control characters; line breaks kept only when asked.
   */
  static String clean(String text, boolean keepLines) {
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        clean.append(keepLines ? '\n' : ' ');
      } else if (c == '\r') {
        clean.append(keepLines ? "" : " ");
      } else if (c == '\t') {
        clean.append(keepLines ? '\t' : ' ');
      } else if (Character.isISOControl(c) || unsafe(c)) {
        clean.append('?');
      } else {
        clean.append(c);
      }
    }
    return clean.toString();
  }

  /** Line separators and the marks that reorder text as it is shown (bidirectional overrides). */
  private static boolean unsafe(char c) {
    return c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
  }
}
