package dev.outpost.server.exchange;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.channel.Channels;
import dev.outpost.server.http.FailedAttempts;
import dev.outpost.server.http.Gate;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents' channel, {@value #PATH}: a WebSocket an agent opens with its secure-id in {@code
 * X-Computer-ID}, checked before the upgrade as an exchange's is (unknown ones count as failed
 * attempts and get 401). The server sends only {@value Channels#EXCHANGE} text messages and pings
 * on it; anything but a pong or a close from the agent closes it (1008).
 */
final class ChannelApi {

  /** Where agents open their channel: beside the exchange URL. */
  static final String PATH = "/message-system/channel";

  /** Close code of a channel on which the agent sent data. */
  static final short POLICY = 1008;

  /** Seconds a refused agent is asked to wait when every place is taken. */
  private static final int FULL_RETRY_SECONDS = 60;

  private static final Logger LOG = LoggerFactory.getLogger(ChannelApi.class);

  private final MessageSystem messageSystem;
  private final FailedAttempts failedAttempts;
  private final KnownComputers known;
  private final Channels channels;

  ChannelApi(
      MessageSystem messageSystem,
      FailedAttempts failedAttempts,
      KnownComputers known,
      Channels channels) {
    this.messageSystem = messageSystem;
    this.failedAttempts = failedAttempts;
    this.known = known;
    this.channels = channels;
  }

  /** Mounts the upgrade before any body handler (it has no body). */
  void gate(Router router) {
    router.get(PATH).handler(this::upgrade);
  }

  private void upgrade(RoutingContext ctx) {
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
      throw OutpostException.badRequest("the channel is a WebSocket; send Upgrade: websocket");
    }
    String source = Gate.source(ctx);
    String secureId = ctx.request().getHeader("X-Computer-ID");
    if (secureId == null || secureId.isBlank()) {
      failedAttempts.check(source);
      failedAttempts.failed(source);
      throw OutpostException.unauthorized("the channel needs the computer's secure-id");
    }
    byte[] hash = Secrets.hash(secureId.strip());
    if (!known.contains(hash)) {
      failedAttempts.check(source);
    }
    // held while the secure-id is looked up: a request read to its end cannot be upgraded
    ctx.request().pause();
    messageSystem
        .computer(hash)
        .onSuccess(
            computer -> {
              if (computer.isEmpty()) {
                failedAttempts.failed(source);
                refuse(ctx, OutpostException.unauthorized("unknown secure-id"));
              } else if (!channels.reserve()) {
                refuse(
                    ctx,
                    OutpostException.busy(
                        "this server holds as many channels as it may", FULL_RETRY_SECONDS));
              } else {
                known.add(hash);
                HttpConnection connection = ctx.request().connection();
                ctx.request()
                    .toWebSocket()
                    .onSuccess(socket -> open(computer.get(), socket, connection))
                    .onFailure(
                        e -> {
                          channels.release();
                          LOG.debug("a channel's upgrade failed [cause: {}]", e.toString());
                        });
              }
            })
        .onFailure(failure -> refuse(ctx, failure));
  }

  private static void refuse(RoutingContext ctx, Throwable failure) {
    ctx.request().resume();
    ctx.fail(failure);
  }

  private void open(long computerId, ServerWebSocket socket, HttpConnection connection) {
    dropIdleTimer(connection);
    socket.handler(data -> socket.close(POLICY, "an agent sends nothing on its channel"));
    socket.exceptionHandler(e -> LOG.debug("channel failed [cause: {}]", e.toString()));
    channels.opened(computerId, socket);
  }

  /**
   * Takes the HTTP idle timeout's handler out of an upgraded connection: it kept a timer of its own
   * for every channel, while one periodic keepalive ({@link Channels}) pings them all and closes
   * the silent ones. A connection of another kind keeps it.
   */
  private static void dropIdleTimer(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
      IdleStateHandler idle = pipeline.get(IdleStateHandler.class);
      if (idle != null) {
        pipeline.remove(idle);
      }
    }
  }
}
