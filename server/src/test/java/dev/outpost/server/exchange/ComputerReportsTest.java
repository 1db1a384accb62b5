package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bytes;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Landscape Client's reports of a computer, as it sends them (keys, bytes where it sends
 * bytes): kept per computer, the latest of each, users and groups applied as the changes they are,
 * and shown by the admin API to the computer's account only.
 */
@ExtendWith(VertxExtension.class)
class ComputerReportsTest {

  private static ServerFixture fx;
  private static Pool pool;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
    pool = Database.pool(vertx, TestSupport.database(), 1);
  }

  @AfterAll
  static void stop() {
    await(pool.close());
    fx.close();
  }

  /**
   * Verifies that a registering client is told of the reports its plugins send only once told
   * (users, processors, network devices) at its next exchange, not with its ids: told with them,
   * the client sends them on the session ids registering renews, and drops them for good.
   */
  @Test
  void theReportsSentOnceAreAcceptedAtTheExchangeAfterRegistering() {
    ProtocolClient agent = new ProtocolClient(fx.http);
    agent.exchange(List.of());
    List<String> atRegistration =
        agent
            .register(fx.accountName, fx.registrationKey, "late-types-1")
            .mapList("messages")
            .get(0)
            .textList("types");
    List<String> next =
        agent.exchange(List.of()).mapList("messages").stream()
            .filter(m -> m.text("type").equals("accepted-types"))
            .findFirst()
            .orElseThrow()
            .textList("types");

    assertThat(atRegistration)
        .contains("computer-info", "distribution-info", "operation-result")
        .doesNotContain("users", "processor-info", "network-device");
    assertThat(next).containsAll(ServerTypes.REGISTERED);
    assertThat(agent.exchange(List.of()).mapList("messages")).isEmpty();
  }

  /**
   * Verifies that the distribution and hardware the client reports show on the computer: a
   * computer-info with only what changed is merged into the last, the other reports replace theirs.
   */
  @Test
  void distributionAndHardwareShowOnTheComputer() {
    ProtocolClient agent = ProtocolClient.registered(fx, "inventory-1");
    JsonObject before = computer(agent);
    assertThat(before.getValue("distribution")).isNull();
    assertThat(before.getValue("hardware")).isNull();

    agent.exchange(
        List.of(
            message(
                "computer-info",
                "hostname",
                "inventory-1.example",
                "total-memory",
                7982L,
                "total-swap",
                1023L,
                "machine-id",
                "abc123"),
            message(
                "distribution-info",
                "distributor-id",
                "Debian",
                "description",
                "Debian GNU/Linux 12 (bookworm)",
                "release",
                "12",
                "code-name",
                "bookworm"),
            message("processor-info", "processors", List.of(cpu(0), cpu(1))),
            networkDevice("eth0", "10.0.0.5")));
    // what changed only, and a new set of devices
    agent.exchange(
        List.of(
            message("computer-info", "total-memory", 16000L), networkDevice("eth1", "10.0.0.6")));

    JsonObject shown = computer(agent);
    JsonObject distribution = shown.getJsonObject("distribution");
    assertThat(distribution.getString("distributor_id")).isEqualTo("Debian");
    assertThat(distribution.getString("release")).isEqualTo("12");
    assertThat(distribution.getString("code_name")).isEqualTo("bookworm");
    JsonObject hardware = shown.getJsonObject("hardware");
    assertThat(hardware.getLong("memory_mb")).isEqualTo(16000L);
    assertThat(hardware.getLong("swap_mb")).isEqualTo(1023L);
    assertThat(hardware.getString("hostname")).isEqualTo("inventory-1.example");
    assertThat(hardware.getInteger("cpu_count")).isEqualTo(2);
    assertThat(hardware.getString("cpu_model")).isEqualTo("Intel(R) Xeon(R) CPU");
    assertThat(hardware.getJsonArray("network_devices"))
        .singleElement()
        .satisfies(
            d -> {
              JsonObject device = (JsonObject) d;
              assertThat(device.getString("interface")).isEqualTo("eth1");
              assertThat(device.getString("ip_address")).isEqualTo("10.0.0.6");
              assertThat(device.getLong("speed")).isEqualTo(1000L);
            });
    assertThat(rows("computer_reports", agent)).isEqualTo(4);
    assertThat(rows("client_messages", agent)).isZero();
  }

  /**
   * Verifies that users and groups follow the client's changes (created, updated, locked, members
   * added and removed, deleted), and that a message sent again, or all of them sent again as a
   * client sends after a resynchronize, changes nothing.
   */
  @Test
  void usersFollowTheChangesAndAMessageSentAgainChangesNothing() {
    ProtocolClient agent = ProtocolClient.registered(fx, "users-1");
    assertThat(users(agent).getJsonArray("users")).isEmpty();
    assertThat(users(agent).getValue("reported_at")).isNull();

    Map<String, Object> first = new LinkedHashMap<>();
    first.put("type", "users");
    first.put("create-users", List.of(user("root", 0, true), user("alice", 1000, true)));
    first.put("create-groups", List.of(group("root", 0), group("staff", 50), group("sudo", 27)));
    first.put("create-group-members", Map.of("sudo", List.of("alice"), "staff", List.of("alice")));
    agent.exchange(List.of(first));
    JsonObject full = users(agent);

    Map<String, Object> changes = new LinkedHashMap<>();
    changes.put("type", "users");
    changes.put("operation-id", 7L);
    changes.put("create-users", List.of(user("bob", 1001, true)));
    changes.put("update-users", List.of(user("alice", 1000, false)));
    changes.put("delete-group-members", Map.of("staff", List.of("alice")));
    changes.put("create-group-members", Map.of("staff", List.of("bob")));
    changes.put("delete-groups", List.of("sudo"));
    agent.exchange(List.of(changes));
    JsonObject after = users(agent);
    // the same changes again: in a later exchange, and resent at the same sequence number
    agent.exchange(List.of(changes));
    agent.sequence--;
    agent.exchange(List.of(changes));
    // everything again, as the client sends after a resynchronize: nothing deleted comes back
    agent.exchange(List.of(first, changes));

    assertThat(full.getJsonArray("users").stream().map(u -> ((JsonObject) u).getString("username")))
        .containsExactly("alice", "root");
    assertThat(userNamed(full, "alice").getJsonArray("groups")).containsExactly("staff", "sudo");
    JsonObject now = users(agent);
    assertThat(now.getJsonArray("users")).isEqualTo(after.getJsonArray("users"));
    assertThat(now.getJsonArray("groups")).isEqualTo(after.getJsonArray("groups"));
    assertThat(userNamed(now, "alice").getBoolean("enabled")).isFalse();
    assertThat(userNamed(now, "alice").getJsonArray("groups")).isEmpty();
    assertThat(userNamed(now, "bob").getJsonArray("groups")).containsExactly("staff");
    assertThat(userNamed(now, "bob").getString("name")).isEqualTo("Bob's name");
    assertThat(now.getJsonArray("groups").stream().map(g -> ((JsonObject) g).getString("name")))
        .containsExactly("root", "staff");
    assertThat(now.getString("reported_at")).isNotNull();

    Map<String, Object> gone = new LinkedHashMap<>();
    gone.put("type", "users");
    gone.put("delete-users", List.of("bob"));
    agent.exchange(List.of(gone));
    assertThat(users(agent).getJsonArray("users").stream())
        .map(u -> ((JsonObject) u).getString("username"))
        .containsExactly("alice", "root");
  }

  /**
   * Verifies that a report the client would not send (a list of the wrong shape, a name past its
   * bound, too many users) is quarantined with the reason, keeping nothing of it, while the rest of
   * its exchange applies.
   */
  @Test
  void aBadReportIsQuarantinedAndKeepsNothing() {
    ProtocolClient agent = ProtocolClient.registered(fx, "bad-reports-1");
    List<Object> many = new ArrayList<>();
    for (int i = 0; i <= ClientReports.MAX_ITEMS; i++) {
      many.add(user("u" + i, 2000 + i, true));
    }
    agent.exchange(
        List.of(
            message("users", "create-users", "alice"),
            message("users", "create-users", List.of(user("x".repeat(300), 1, true))),
            message("users", "create-users", many),
            message("processor-info", "processors", List.of(Map.of("model", "no id"))),
            message("distribution-info", "distributor-id", "Debian", "release", "12")));

    JsonArray quarantined =
        fx.get("/computers/" + agent.insecureId + "/quarantined-messages")
            .bodyAsJsonObject()
            .getJsonArray("results");
    assertThat(quarantined.stream().map(q -> ((JsonObject) q).getString("reason")))
        .hasSize(4)
        .anySatisfy(r -> assertThat(r).contains("create-users"))
        .anySatisfy(r -> assertThat(r).contains("longer than 255"))
        .anySatisfy(r -> assertThat(r).contains("more than " + ClientReports.MAX_ITEMS))
        .anySatisfy(r -> assertThat(r).contains("processor-id"));
    assertThat(users(agent).getJsonArray("users")).isEmpty();
    assertThat(computer(agent).getJsonObject("distribution").getString("release")).isEqualTo("12");
    assertThat(computer(agent).getValue("hardware")).isNull();
  }

  /**
   * Verifies that another account's computer, its reports and users are a 404, and that a removed
   * computer's reports go with it.
   */
  @Test
  void anotherAccountSeesNothingAndARemovedComputerKeepsNothing(Vertx vertx) {
    ProtocolClient agent = ProtocolClient.registered(fx, "isolated-1");
    Map<String, Object> users = new LinkedHashMap<>();
    users.put("type", "users");
    users.put("create-users", List.of(user("carol", 1000, true)));
    agent.exchange(List.of(users, message("distribution-info", "release", "12")));
    try (ServerFixture other = new ServerFixture(vertx)) {
      assertThat(other.get("/computers/" + agent.insecureId).statusCode()).isEqualTo(404);
      assertThat(other.get("/computers/" + agent.insecureId + "/users").statusCode())
          .isEqualTo(404);
    }
    assertThat(fx.get("/computers/999999999/users").statusCode()).isEqualTo(404);

    JsonObject removal =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "RemoveComputerActivity")
                    .put("computer_ids", new JsonArray().add(agent.insecureId)))
            .bodyAsJsonObject();
    TestSupport.eventually(
        60,
        () ->
            "succeeded"
                .equals(
                    fx.get("/activities/" + removal.getLong("id"))
                        .bodyAsJsonObject()
                        .getString("status")));
    assertThat(rows("computer_reports", agent)).isZero();
    assertThat(rows("computer_users", agent)).isZero();
  }

  private static JsonObject computer(ProtocolClient agent) {
    HttpResponse<Buffer> response = fx.get("/computers/" + agent.insecureId);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject users(ProtocolClient agent) {
    HttpResponse<Buffer> response = fx.get("/computers/" + agent.insecureId + "/users");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject userNamed(JsonObject users, String name) {
    return users.getJsonArray("users").stream()
        .map(JsonObject.class::cast)
        .filter(u -> u.getString("username").equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static long rows(String table, ProtocolClient agent) {
    return await(
            pool.preparedQuery("SELECT count(*) FROM " + table + " WHERE computer_id = $1")
                .execute(Tuple.of(agent.insecureId)))
        .iterator()
        .next()
        .getLong(0);
  }

  private static Map<String, Object> message(String type, Object... keysAndValues) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", type);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      message.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return message;
  }

  private static Map<String, Object> cpu(long id) {
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put("processor-id", id);
    cpu.put("model", "Intel(R) Xeon(R) CPU");
    cpu.put("vendor", "GenuineIntel");
    cpu.put("cache-size", 4096L);
    return cpu;
  }

  /** A network-device report as the client sends it: addresses as bytes, speeds apart. */
  private static Map<String, Object> networkDevice(String name, String address) {
    Map<String, Object> device = new LinkedHashMap<>();
    device.put("interface", Bytes.of(name));
    device.put("ip_address", Bytes.of(address));
    device.put("mac_address", Bytes.of("52:54:00:12:34:56"));
    device.put("broadcast_address", Bytes.of("10.0.0.255"));
    device.put("netmask", Bytes.of("255.255.255.0"));
    device.put("flags", 4163L);
    Map<String, Object> speed = new LinkedHashMap<>();
    speed.put("interface", Bytes.of(name));
    speed.put("speed", 1000L);
    speed.put("duplex", true);
    return message("network-device", "devices", List.of(device), "device-speeds", List.of(speed));
  }

  private static Map<String, Object> user(String name, long uid, boolean enabled) {
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("username", name);
    user.put("uid", uid);
    user.put("name", Character.toUpperCase(name.charAt(0)) + name.substring(1) + "'s name");
    user.put("enabled", enabled);
    user.put("location", null);
    user.put("home-phone", null);
    user.put("work-phone", null);
    user.put("primary-gid", uid);
    return user;
  }

  private static Map<String, Object> group(String name, long gid) {
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", name);
    group.put("gid", gid);
    return group;
  }
}
