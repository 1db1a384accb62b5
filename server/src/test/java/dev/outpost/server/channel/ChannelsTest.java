package dev.outpost.server.channel;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agents' channel on a real server: who may open one, how many, what it carries, and that
 * nudges made through the database reach it.
 */
@ExtendWith(VertxExtension.class)
class ChannelsTest {

  private ServerFixture fx;
  private WebSocketClient client;

  @BeforeEach
  void start(Vertx vertx) {
    fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_FAILED_ATTEMPTS_PER_MINUTE", "2",
                "OUTPOST_CHANNELS", "2",
                "OUTPOST_CHANNEL_KEEPALIVE_SECONDS", "1",
                "OUTPOST_HTTP_IDLE_TIMEOUT_SECONDS", "2"),
            Map.of());
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    await(client.close());
    fx.close();
  }

  private Future<WebSocket> open(String secureId) {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(fx.server.httpPort())
            .setURI("/message-system/channel");
    if (secureId != null) {
      options.putHeader("X-Computer-ID", secureId);
    }
    return client.connect(options);
  }

  private static int refusal(Future<WebSocket> attempt) {
    try {
      await(attempt);
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof UpgradeRejectedException)) {
        cause = cause.getCause();
      }
      assertThat(cause).as("the upgrade was refused").isNotNull();
      return ((UpgradeRejectedException) cause).getStatus();
    }
    throw new AssertionError("the upgrade was accepted");
  }

  /**
   * Verifies that an upgrade without a secure-id or with an unknown one is refused 401 and counted
   * as a failed attempt: past the limit the address gets 429.
   */
  @Test
  void refusesUnknownSecureIdsAndCountsThem() {
    assertThat(refusal(open(null))).isEqualTo(401);
    assertThat(refusal(open("not-a-secure-id"))).isEqualTo(401);

    assertThat(refusal(open("another-guess"))).isEqualTo(429);
  }

  /**
   * Verifies that a nudge sent through the database reaches the computer's channel as one {@code
   * exchange} message, and that a computer whose channel another server holds is left alone.
   */
  @Test
  void aNudgeReachesTheChannel() {
    ProtocolClient computer = ProtocolClient.registered(fx, "nudged");
    List<String> heard = new CopyOnWriteArrayList<>();
    WebSocket socket = await(open(computer.secureId));
    socket.textMessageHandler(heard::add);
    eventually(10, () -> fx.server.channels().holds(computer.insecureId));

    await(new Nudges(fx.server.pool()).nudge(List.of(computer.insecureId, Long.MAX_VALUE)));

    eventually(10, () -> heard.contains(Channels.EXCHANGE));
    assertThat(heard).containsOnly(Channels.EXCHANGE);
  }

  /**
   * Verifies that a computer's JSON says whether its channel is open to this server, and stops
   * saying so once the channel closed.
   */
  @Test
  void theComputerShowsItsChannel() {
    ProtocolClient computer = ProtocolClient.registered(fx, "shown");
    assertThat(connected(computer)).isFalse();

    WebSocket socket = await(open(computer.secureId));
    eventually(10, () -> fx.server.channels().holds(computer.insecureId));

    assertThat(connected(computer)).isTrue();
    assertThat(
            fx.get("/computers?query=id:" + computer.insecureId)
                .bodyAsJsonObject()
                .getJsonArray("results")
                .getJsonObject(0)
                .getBoolean("channel_connected"))
        .isTrue();
    await(socket.close());
    eventually(10, () -> !connected(computer));
  }

  private boolean connected(ProtocolClient computer) {
    return fx.get("/computers/" + computer.insecureId)
        .bodyAsJsonObject()
        .getBoolean("channel_connected");
  }

  /**
   * Verifies that a second channel of one computer replaces the first, which the server closes with
   * 4000, and that the cap counts channels, not computers.
   */
  @Test
  void aNewChannelReplacesTheOldOneAndTheCapHolds() {
    List<ProtocolClient> computers = ProtocolClient.registered(fx, "replaced", 2);
    WebSocket first = await(open(computers.get(0).secureId));
    AtomicInteger firstClosed = new AtomicInteger();
    first.closeHandler(v -> firstClosed.set(first.closeStatusCode()));

    WebSocket second = await(open(computers.get(0).secureId));

    eventually(10, () -> firstClosed.get() == Channels.REPLACED);
    assertThat(second.isClosed()).isFalse();
    eventually(10, () -> fx.server.channels().size() == 1);
    WebSocket other = await(open(computers.get(1).secureId));
    assertThat(refusal(open(computers.get(0).secureId))).isEqualTo(503);
    other.close();
    eventually(10, () -> fx.server.channels().size() == 1);
  }

  /** Verifies that data from the agent closes its channel with 1008. */
  @Test
  void dataFromTheAgentClosesTheChannel() {
    ProtocolClient computer = ProtocolClient.registered(fx, "talker");
    WebSocket socket = await(open(computer.secureId));
    AtomicInteger closed = new AtomicInteger();
    socket.closeHandler(v -> closed.set(socket.closeStatusCode()));

    socket.writeTextMessage("hello");

    eventually(10, () -> closed.get() == 1008);
    eventually(10, () -> !fx.server.channels().holds(computer.insecureId));
  }

  /**
   * Verifies that the server's pings keep a channel open past the HTTP idle timeout (2 s here): the
   * channel is still held after several pings.
   */
  @Test
  void pingsKeepAnIdleChannelOpen() {
    ProtocolClient computer = ProtocolClient.registered(fx, "idle");
    WebSocket socket = await(open(computer.secureId));
    AtomicInteger pings = new AtomicInteger();
    socket.frameHandler(
        frame -> {
          if (frame.isPing()) {
            pings.incrementAndGet();
          }
        });

    eventually(20, () -> pings.get() >= 4);

    assertThat(socket.isClosed()).isFalse();
    assertThat(fx.server.channels().holds(computer.insecureId)).isTrue();
  }
}
