package dev.outpost.server.packages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.Tuple;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Packages the Landscape way, through the exchange as the Landscape Client's package reporter and
 * changer speak it: the hash-id handshake, the packages messages' ranges kept per computer,
 * ChangePackagesRequest resolved by name to the ids the computer knows, refusals, and one account's
 * packages out of another's reach.
 */
@ExtendWith(VertxExtension.class)
class PackagesTest {

  /** The types a Landscape Client with its package plugins accepts, in part. */
  private static final List<String> LANDSCAPE_TYPES =
      List.of("accepted-types", "change-packages", "package-ids", "set-id", "unknown-id");

  private static final long DEB_PACKAGE = 65537;
  private static final long DEB_REQUIRES = 262148;
  private static final long DEB_PROVIDES = 131074;
  private static final long DEB_UPGRADES = 393224;

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    TestSupport.endActivities(fx.server.pool(), fx.accountId);
    fx.close();
  }

  /**
   * Verifies that the server computes a package's hash as the client's skeleton does (the value
   * below is what landscape.lib.apt.package.skeleton gives for these fields).
   */
  @Test
  void theHashIsTheClients() {
    byte[] hash =
        PackageHash.of(
            DEB_PACKAGE,
            "hello",
            "2.10-3",
            List.of(
                new PackageHash.Relation(DEB_UPGRADES, "hello < 2.10-3"),
                new PackageHash.Relation(DEB_REQUIRES, "libc6 >= 2.34"),
                new PackageHash.Relation(DEB_PROVIDES, "hello")));
    assertThat(HexFormat.of().formatHex(hash))
        .isEqualTo("83453aa32a44e744164be47e5769e7c325dd8f46");
  }

  /**
   * Verifies the handshake: unknown hashes get null, add-packages adds them and is answered with
   * their ids in the request's order, and asking again gives the same ids; another account's
   * computer asking for the same hashes gets null, and cannot read this account's lists.
   */
  @Test
  void theHandshakeGivesIdsPerAccount(Vertx vertx) {
    ProtocolClient client = client("handshake");
    Map<String, Object> a = skeleton("pkg-a", "1.0");
    Map<String, Object> b = skeleton("pkg-b", "2.0");
    List<Object> hashes = List.of(hashOf(a), hashOf(b));

    WireMap first = ids(client.exchange(List.of(unknownHashes(7, hashes))), 7);
    assertThat(first.list("ids")).containsExactly(null, null);

    WireMap added = ids(client.exchange(List.of(addPackages(8, List.of(a, b)))), 8);
    List<Object> given = added.list("ids");
    assertThat(given).doesNotContainNull().hasSize(2).doesNotHaveDuplicates();

    WireMap again = ids(client.exchange(List.of(unknownHashes(9, hashes))), 9);
    assertThat(again.list("ids")).isEqualTo(given);

    try (ServerFixture other = new ServerFixture(vertx)) {
      ProtocolClient stranger = ProtocolClient.registered(other, "handshake-stranger");
      stranger.clientTypes = LANDSCAPE_TYPES;
      stranger.exchange(List.of());
      assertThat(ids(stranger.exchange(List.of(unknownHashes(1, hashes))), 1).list("ids"))
          .containsExactly(null, null);
      assertThat(other.get("/computers/" + client.insecureId + "/packages").statusCode())
          .isEqualTo(404);
      TestSupport.endActivities(other.server.pool(), other.accountId);
    }
  }

  /**
   * Verifies that the packages message's ranges are kept per computer and shown by status, that a
   * message applied twice changes nothing more, that the not- lists take ids away, and that ids the
   * account does not have are not kept.
   */
  @Test
  void rangesAreKeptPerComputer() {
    ProtocolClient client = client("ranges");
    List<Long> ids = handshake(client, "r-one", "r-two", "r-three", "r-four", "r-new");
    long one = ids.get(0);
    long two = ids.get(1);
    long three = ids.get(2);
    long four = ids.get(3);
    long fresh = ids.get(4);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("type", "packages");
    report.put("installed", ranges(one, two, three));
    report.put("available", ranges(one, two, three, four));
    report.put("available-upgrades", ranges(fresh));
    report.put("locked", ranges(two));
    client.exchange(List.of(report));
    client.exchange(List.of(new LinkedHashMap<>(report)));

    assertThat(names(client, "status:installed")).containsExactly("r-one", "r-three", "r-two");
    assertThat(names(client, "status:available")).containsExactly("r-four");
    assertThat(names(client, "status:upgradable")).containsExactly("r-new");
    assertThat(names(client, "status:held")).containsExactly("r-two");
    assertThat(names(client, "name:r-t*")).containsExactly("r-three", "r-two");
    JsonObject page = fx.get(path(client, "status:installed") + "&limit=1").bodyAsJsonObject();
    assertThat(page.getLong("count")).isEqualTo(3);
    assertThat(page.getJsonArray("results")).hasSize(1);

    Map<String, Object> change = new LinkedHashMap<>();
    change.put("type", "packages");
    change.put("not-installed", ranges(three));
    change.put("not-locked", ranges(two));
    change.put("installed", List.of(999_999_999L)); // no package of the account
    client.exchange(List.of(change));
    assertThat(names(client, "status:installed")).containsExactly("r-one", "r-two");
    assertThat(names(client, "status:available")).containsExactly("r-four", "r-three");
    assertThat(names(client, "status:held")).isEmpty();
    // as stored: each id once, and no id that is not the account's package
    assertThat(stored(client, "installed")).containsExactlyInAnyOrder(one, two);
    assertThat(stored(client, "available")).containsExactlyInAnyOrder(one, two, three, four);
    assertThat(stored(client, "upgradable")).containsExactly(fresh);
    assertThat(stored(client, "held")).isEmpty();
  }

  /**
   * Verifies that a removed computer's package lists go with it: its listing is a 404 and no row of
   * them is left.
   */
  @Test
  void aRemovedComputerKeepsNoPackages() {
    ProtocolClient client = client("removed");
    long id = handshake(client, "gone-one").get(0);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("type", "packages");
    report.put("installed", ranges(id));
    client.exchange(List.of(report));
    assertThat(names(client, "")).containsExactly("gone-one");

    long removal =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "RemoveComputerActivity")
                    .put("computer_ids", new JsonArray().add(client.insecureId)))
            .bodyAsJsonObject()
            .getLong("id");
    TestSupport.eventually(
        60,
        () ->
            "succeeded"
                .equals(fx.get("/activities/" + removal).bodyAsJsonObject().getString("status")));
    assertThat(fx.get(path(client, "")).statusCode()).isEqualTo(404);
    assertThat(
            TestSupport.await(
                    fx.server
                        .pool()
                        .preparedQuery(
                            "SELECT count(*) FROM computer_packages WHERE computer_id = $1")
                        .execute(io.vertx.sqlclient.Tuple.of(client.insecureId)))
                .iterator()
                .next()
                .getLong(0))
        .isZero();
  }

  /**
   * Verifies that a resynchronization forgets the computer's lists, to be reported again whole: one
   * the client starts itself (a resynchronize without operation-id), and a ResynchronizeRequest
   * when it is delivered (no scopes, or the package scope), but not one of other scopes.
   */
  @Test
  void resynchronizingForgetsTheLists() {
    ProtocolClient client = client("resync");
    long id = handshake(client, "s-one").get(0);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("type", "packages");
    report.put("installed", ranges(id));
    client.exchange(List.of(report));
    assertThat(names(client, "status:installed")).containsExactly("s-one");

    client.exchange(List.of(Map.of("type", "resynchronize")));
    assertThat(names(client, "")).isEmpty();

    client.exchange(List.of(new LinkedHashMap<>(report)));
    var users =
        fx.post(
            "/activities",
            new JsonObject()
                .put("type", "ResynchronizeRequest")
                .put("computer_ids", new JsonArray().add(client.insecureId))
                .put("parameters", new JsonObject().put("scopes", new JsonArray().add("users"))));
    assertThat(users.statusCode()).isEqualTo(201);
    assertThat(client.exchange(List.of()).mapList("messages"))
        .anySatisfy(
            m -> {
              assertThat(m.text("type")).isEqualTo("resynchronize");
              assertThat(m.list("scopes")).containsExactly("users");
            });
    assertThat(names(client, "status:installed")).containsExactly("s-one");
    var all =
        fx.post(
            "/activities",
            new JsonObject()
                .put("type", "ResynchronizeRequest")
                .put("computer_ids", new JsonArray().add(client.insecureId))
                .put("parameters", new JsonObject()));
    assertThat(all.statusCode()).isEqualTo(201);
    assertThat(client.exchange(List.of()).mapList("messages"))
        .anyMatch(m -> m.text("type").equals("resynchronize"));
    assertThat(names(client, "")).isEmpty();
  }

  /**
   * Verifies that ChangePackagesRequest names packages and the computer is sent their ids: an
   * install of an available one, an upgrade as the install of its newer version, a removal of an
   * installed one, with the changer's policy; and that names the computer cannot resolve are
   * refused with 400 naming them.
   */
  @Test
  void changesAreResolvedByName() {
    ProtocolClient client = client("resolve");
    List<Long> ids =
        handshake(client, "c-new", "c-old", "c-old=2", "c-gone", "c-twice", "c-twice=2");
    long fresh = ids.get(0);
    long old = ids.get(1);
    long newer = ids.get(2);
    long gone = ids.get(3);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("type", "packages");
    report.put("installed", ranges(old, gone));
    report.put("available", ranges(fresh, old, newer, ids.get(4), ids.get(5)));
    report.put("available-upgrades", ranges(newer));
    client.exchange(List.of(report));

    JsonObject parameters =
        new JsonObject()
            .put("install", new JsonArray().add("c-new"))
            .put("upgrade", new JsonArray().add("c-old"))
            .put("remove", new JsonArray().add("c-gone"));
    var created = fx.post("/activities", request(client, parameters));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long activity = created.bodyAsJsonObject().getLong("id");

    WireMap message =
        client.exchange(List.of()).mapList("messages").stream()
            .filter(m -> m.text("type").equals("change-packages"))
            .findFirst()
            .orElseThrow();
    assertThat(message.integer("operation-id")).isEqualTo(activity);
    assertThat(message.list("install")).containsExactlyInAnyOrder(fresh, newer);
    assertThat(message.list("remove")).containsExactly(gone);
    assertThat(message.integer("policy")).isEqualTo(2);
    assertThat(message.has("upgrade")).isFalse();

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("type", "change-packages-result");
    result.put("operation-id", activity);
    result.put("result-code", 1L);
    result.put("result-text", "done");
    client.exchange(List.of(result));
    assertThat(fx.get("/activities/" + activity).bodyAsJsonObject().getString("status"))
        .isEqualTo("succeeded");

    refused(client, new JsonObject().put("install", new JsonArray().add("c-nowhere")), "c-nowhere");
    refused(client, new JsonObject().put("remove", new JsonArray().add("c-new")), "not installed");
    refused(
        client, new JsonObject().put("install", new JsonArray().add("c-twice")), "c-twice=VERSION");
    refused(client, new JsonObject().put("upgrade", new JsonArray().add("c-gone")), "no upgrade");
    refused(
        client,
        new JsonObject().put("install", new JsonArray().add("c-new")).put("policy", "lenient"),
        "policy");
    var named =
        fx.post(
            "/activities",
            request(client, new JsonObject().put("install", new JsonArray().add("c-twice=2"))));
    assertThat(named.statusCode()).as(named.bodyAsString()).isEqualTo(201);
  }

  /**
   * Verifies that a computer whose client takes no part in the handshake (Outpost's agent,
   * simulating) is sent the names as given.
   */
  @Test
  void anAgentWithoutTheHandshakeGetsTheNames() {
    ProtocolClient agent = ProtocolClient.registered(fx, "names-agent");
    agent.clientTypes = List.of("accepted-types", "change-packages", "set-id", "unknown-id");
    agent.exchange(List.of());
    var created =
        fx.post(
            "/activities",
            request(agent, new JsonObject().put("install", new JsonArray().add("nginx"))));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    WireMap message =
        agent.exchange(List.of()).mapList("messages").stream()
            .filter(m -> m.text("type").equals("change-packages"))
            .findFirst()
            .orElseThrow();
    assertThat(message.textList("install")).containsExactly("nginx");
  }

  /**
   * Verifies that package messages outside the bounds are quarantined with the reason, and that a
   * query the listing does not know is a 400 naming the term.
   */
  @Test
  void badInputIsRefused() {
    ProtocolClient client = client("bad");
    Map<String, Object> shortHash = unknownHashes(1, List.of(Bytes.of(new byte[5])));
    Map<String, Object> backwards = new LinkedHashMap<>();
    backwards.put("type", "packages");
    backwards.put("installed", List.of(Tuple.of(9L, 3L)));
    Map<String, Object> huge = new LinkedHashMap<>();
    huge.put("type", "packages");
    huge.put("available", List.of(Tuple.of(1L, 2_000_000_000L)));
    Map<String, Object> tooMany =
        unknownHashes(2, java.util.Collections.nCopies(5_001, Bytes.of(new byte[20])));
    WireMap answer = client.exchange(List.of(shortHash, backwards, huge, tooMany));
    assertThat(answer.mapList("messages")).noneMatch(m -> m.text("type").equals("package-ids"));
    JsonArray quarantined =
        fx.get("/computers/" + client.insecureId + "/quarantined-messages")
            .bodyAsJsonObject()
            .getJsonArray("results");
    assertThat(quarantined.stream().map(q -> ((JsonObject) q).getString("reason")).toList())
        .anySatisfy(r -> assertThat(r).contains("20-byte hash"))
        .anySatisfy(r -> assertThat(r).contains("9-3"))
        .anySatisfy(r -> assertThat(r).contains("more than 500000 ids"))
        .anySatisfy(r -> assertThat(r).contains("at most 5000"));

    var bogus = fx.get(path(client, "status:bogus"));
    assertThat(bogus.statusCode()).isEqualTo(400);
    assertThat(bogus.bodyAsString()).contains("bogus");
    var unknownTerm = fx.get(path(client, "colour:red"));
    assertThat(unknownTerm.statusCode()).isEqualTo(400);
    assertThat(unknownTerm.bodyAsString()).contains("colour:red");
  }

  // ------------------------------------------------------------------------------- helpers

  private static ProtocolClient client(String title) {
    ProtocolClient client = ProtocolClient.registered(fx, TestSupport.unique(title));
    client.clientTypes = LANDSCAPE_TYPES;
    client.exchange(List.of());
    return client;
  }

  /** Adds packages named name or name=version (1.0 when not given); their ids in that order. */
  private static List<Long> handshake(ProtocolClient client, String... named) {
    List<Map<String, Object>> skeletons = new ArrayList<>();
    for (String n : named) {
      int eq = n.indexOf('=');
      skeletons.add(
          skeleton(eq < 0 ? n : n.substring(0, eq), eq < 0 ? "1.0" : n.substring(eq + 1)));
    }
    WireMap answer = ids(client.exchange(List.of(addPackages(100, skeletons))), 100);
    return answer.list("ids").stream().map(id -> (Long) id).toList();
  }

  private static Map<String, Object> skeleton(String name, String version) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", DEB_PACKAGE);
    p.put("name", name);
    p.put("version", version);
    p.put("section", "misc");
    p.put("summary", "the package " + name);
    p.put("description", "a package for a test");
    p.put("size", 1000L);
    p.put("installed-size", 2000L);
    p.put(
        "relations",
        List.of(
            Tuple.of(DEB_PROVIDES, name),
            Tuple.of(DEB_REQUIRES, "libc6 >= 2.34"),
            Tuple.of(DEB_UPGRADES, name + " < " + version)));
    return p;
  }

  @SuppressWarnings("unchecked")
  private static Bytes hashOf(Map<String, Object> p) {
    List<PackageHash.Relation> relations = new ArrayList<>();
    for (Object r : (List<Object>) p.get("relations")) {
      Tuple t = (Tuple) r;
      relations.add(new PackageHash.Relation((Long) t.get(0), (String) t.get(1)));
    }
    return Bytes.of(
        PackageHash.of(
            (Long) p.get("type"), (String) p.get("name"), (String) p.get("version"), relations));
  }

  private static Map<String, Object> unknownHashes(long requestId, List<?> hashes) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "unknown-package-hashes");
    m.put("hashes", hashes);
    m.put("request-id", requestId);
    return m;
  }

  private static Map<String, Object> addPackages(long requestId, List<Map<String, Object>> p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "add-packages");
    m.put("packages", p);
    m.put("request-id", requestId);
    return m;
  }

  private static WireMap ids(WireMap answer, long requestId) {
    return answer.mapList("messages").stream()
        .filter(m -> m.text("type").equals("package-ids") && m.integer("request-id") == requestId)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no package-ids for " + requestId + ": " + answer));
  }

  /** Ranges as the client's sequence_to_ranges makes them, from sorted ids. */
  private static List<Object> ranges(long... ids) {
    long[] sorted = java.util.Arrays.stream(ids).sorted().toArray();
    List<Object> out = new ArrayList<>();
    int i = 0;
    while (i < sorted.length) {
      int j = i;
      while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1) {
        j++;
      }
      if (j - i >= 2) {
        out.add(Tuple.of(sorted[i], sorted[j]));
      } else {
        for (int k = i; k <= j; k++) {
          out.add(sorted[k]);
        }
      }
      i = j + 1;
    }
    return out;
  }

  private static String path(ProtocolClient client, String query) {
    return "/computers/"
        + client.insecureId
        + "/packages?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8);
  }

  private static List<String> names(ProtocolClient client, String query) {
    var response = fx.get(path(client, query));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray("results").stream()
        .map(p -> ((JsonObject) p).getString("name"))
        .toList();
  }

  /**
   * The ids of one of the computer's lists ({@code installed}, ...), as the database holds them.
   */
  private static List<Long> stored(ProtocolClient client, String list) {
    List<Long> ids = new ArrayList<>();
    TestSupport.await(
            fx.server
                .pool()
                .preparedQuery(
                    "SELECT unnest(" + list + ") FROM computer_packages WHERE computer_id = $1")
                .execute(io.vertx.sqlclient.Tuple.of(client.insecureId)))
        .forEach(row -> ids.add(row.getLong(0)));
    return ids;
  }

  private static JsonObject request(ProtocolClient client, JsonObject parameters) {
    return new JsonObject()
        .put("type", "ChangePackagesRequest")
        .put("computer_ids", new JsonArray().add(client.insecureId))
        .put("parameters", parameters);
  }

  private static void refused(ProtocolClient client, JsonObject parameters, String named) {
    var response = fx.post("/activities", request(client, parameters));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.bodyAsString()).contains(named);
  }
}
