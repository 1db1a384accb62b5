package dev.outpost.server;

import static dev.outpost.server.TestSupport.await;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy a test can cut: every connection dropped at once, new ones refused until restored.
 */
public final class TcpProxy implements AutoCloseable {

  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean down;

  /** Starts a proxy on a free loopback port forwarding to the target. */
  public TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    client = vertx.createNetClient();
    server =
        vertx
            .createNetServer()
            .connectHandler(
                inbound -> {
                  if (down) {
                    inbound.close();
                    return;
                  }
                  inbound.pause();
                  client
                      .connect(targetPort, targetHost)
                      .onComplete(
                          connected -> {
                            if (connected.failed()) {
                              inbound.close();
                              return;
                            }
                            NetSocket outbound = connected.result();
                            sockets.add(inbound);
                            sockets.add(outbound);
                            inbound.handler(outbound::write);
                            outbound.handler(inbound::write);
                            inbound.closeHandler(v -> outbound.close());
                            outbound.closeHandler(v -> inbound.close());
                            inbound.resume();
                          });
                });
    await(server.listen(0, "127.0.0.1"));
  }

  /** The port to connect to instead of the target's. */
  public int port() {
    return server.actualPort();
  }

  /** Drops every connection and refuses new ones until {@link #restore()}. */
  public void cut() {
    down = true;
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  /** Lets connections through again. */
  public void restore() {
    down = false;
  }

  @Override
  public void close() {
    cut();
    await(server.close());
    await(client.close());
  }
}
