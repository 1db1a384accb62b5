package dev.outpost.bench.exchange;

import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.server.exchange.ServerTypes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Computers for the load generator, registered straight in the database (registration is not what
 * the benchmarks measure, and 100,000 of them through the protocol would take minutes), and the
 * activities they are to receive.
 */
public final class Fleet {

  /**
   * Creates one activity per computer the way the server does (the Queued activity and its creation
   * event in one statement); $1 account, $2 computer ids.
   */
  public static final String CREATE_ACTIVITIES =
      """
      WITH created AS (
        INSERT INTO activities (account_id, computer_id, kind, type, status, summary, parameters,
                                creator, created_at)
        SELECT $1, c, 'client', 'ExecuteScriptRequest', 'queued', 'Execute script',
               '{"code": "true"}'::jsonb, 'bench', now()
          FROM unnest($2::bigint[]) AS c
        RETURNING id, status, created_at
      )
      INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
      SELECT id, NULL, status, created_at, 'bench', 'created' FROM created
      """;

  private Fleet() {}

  /** The id of the bootstrap account the server created. */
  public static long accountId(BenchDatabase db) throws SQLException {
    return db.queryLong("SELECT id FROM accounts WHERE name = 'standalone'");
  }

  /**
   * Registers {@code count} computers titled {@code prefix-1..count}, whose secure ids are their
   * titles, and returns a peer for each, in order. They accept cancel-operation, as Outpost's agent
   * does, so that every exchange looks for cancels to send.
   */
  public static List<Peer> register(BenchDatabase db, long accountId, String prefix, int count)
      throws SQLException {
    List<Peer> peers = new ArrayList<>(count);
    try (Connection conn = db.connect();
        PreparedStatement insert =
            conn.prepareStatement(
                """
             INSERT INTO computers (account_id, title, hostname, secure_id_hash, registered_at,
                                    client_types)
             SELECT ?, ? || i, ? || i || '.example', sha256(convert_to(? || i, 'UTF8')), now(),
                    ARRAY['cancel-operation', 'execute-script']
               FROM generate_series(1, ?) AS i
             RETURNING id, title
             """)) {
      insert.setLong(1, accountId);
      insert.setString(2, prefix + "-");
      insert.setString(3, prefix + "-");
      insert.setString(4, prefix + "-");
      insert.setInt(5, count);
      try (ResultSet rs = insert.executeQuery()) {
        while (rs.next()) {
          Peer peer = new Peer(rs.getLong(1), rs.getString(2));
          // what the server accepts from registered clients: peers start with the right digest
          peer.knowServerTypes(ServerTypes.registered());
          peers.add(peer);
        }
      }
    }
    return peers;
  }

  /** Gives each of the peers' computers one Queued ExecuteScriptRequest. */
  public static void seed(BenchDatabase db, long accountId, List<Peer> peers) throws SQLException {
    try (Connection conn = db.connect();
        PreparedStatement insert =
            conn.prepareStatement(CREATE_ACTIVITIES.replace("$1", "?").replace("$2", "?"))) {
      insert.setLong(1, accountId);
      insert.setArray(
          2,
          conn.createArrayOf("bigint", peers.stream().map(Peer::computerId).toArray(Long[]::new)));
      insert.execute();
    }
  }
}
