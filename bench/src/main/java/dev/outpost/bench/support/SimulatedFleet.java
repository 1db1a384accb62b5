package dev.outpost.bench.support;

import dev.outpost.server.account.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A fleet for {@code outpost-agent simulate}, registered straight in the database and written to an
 * identities file ({@code simulate --identities}): registering 100,000 agents through the protocol
 * takes many minutes on a loaded machine, and registration is not what these benchmarks measure.
 * Agent i is titled as the simulator titles it ({@code PREFIX-i}, zero-padded), and the server
 * knows it by its secure-id's hash as a registration would have left it.
 */
public final class SimulatedFleet {

  private SimulatedFleet() {}

  /**
   * Registers {@code count} computers titled {@code prefix-0..count-1} in the bootstrap account and
   * writes their identities to {@code file}.
   */
  public static void register(BenchDatabase db, String prefix, int count, Path file)
      throws SQLException, IOException {
    int digits = Integer.toString(Math.max(1, count - 1)).length();
    // a secret of the run, so that one fleet's secure-ids are not another's
    String secret = Secrets.generate();
    StringBuilder lines = new StringBuilder(count * 80);
    try (Connection conn = db.connect();
        PreparedStatement insert =
            conn.prepareStatement(
                """
                INSERT INTO computers (account_id, title, hostname, secure_id_hash, registered_at)
                SELECT a.id, t.title, t.title || '.simulated',
                       sha256(convert_to(? || '-' || t.i, 'UTF8')), now()
                  FROM (SELECT id FROM accounts WHERE name = 'standalone') AS a,
                       (SELECT i, ? || '-' || lpad(i::text, ?, '0') AS title
                          FROM generate_series(0, ? - 1) AS i) AS t
                RETURNING id, title
                """)) {
      insert.setString(1, secret);
      insert.setString(2, prefix);
      insert.setInt(3, digits);
      insert.setInt(4, count);
      try (ResultSet rs = insert.executeQuery()) {
        while (rs.next()) {
          String title = rs.getString(2);
          int index = Integer.parseInt(title.substring(prefix.length() + 1));
          lines
              .append(title)
              .append(' ')
              .append(rs.getLong(1))
              .append(' ')
              .append(secret)
              .append('-')
              .append(index)
              .append('\n');
        }
      }
    }
    Files.writeString(file, lines, StandardCharsets.UTF_8);
  }

  /** How many of the fleet's computers have exchanged with the server at least once. */
  public static long exchanged(BenchDatabase db, String prefix) throws SQLException {
    return db.queryLong(
        "SELECT count(*) FROM computers WHERE title LIKE '"
            + prefix
            + "-%' AND last_exchange_at IS NOT NULL");
  }
}
