package dev.outpost.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;

/** The entry point of {@code outpost}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    Charset charset = Charset.defaultCharset();
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, charset), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, charset), true);
    int status = Outpost.run(System.getenv(), out, err, args);
    out.flush();
    err.flush();
    System.exit(status);
  }
}
