package dev.outpost.server.jobs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.util.function.Function;

/** Connections to the job queue's broker: RabbitMQ, or the embedded AMQP 0-9-1 broker. */
public final class Broker {

  private Broker() {}

  /**
   * A client that reconnects for ever; on every new connection it declares the durable queue and
   * then runs {@code onConnected} (confirms, QoS, consumers belong to the channel).
   */
  public static Future<RabbitMQClient> connect(
      Vertx vertx, String amqpUrl, String queue, Function<RabbitMQClient, Future<?>> onConnected) {
    RabbitMQClient client =
        RabbitMQClient.create(
            vertx,
            new RabbitMQOptions()
                .setUri(amqpUrl)
                .setAutomaticRecoveryEnabled(false)
                .setReconnectAttempts(Integer.MAX_VALUE)
                .setReconnectInterval(500)
                .setConnectionTimeout(5000)
                .setRequestedHeartbeat(10));
    // start() completes before the connection callbacks have run: wait for the first setup.
    Promise<Void> firstSetup = Promise.promise();
    client.addConnectionEstablishedCallback(
        (Promise<Void> promise) ->
            client
                .queueDeclare(queue, true, false, false)
                .compose(declared -> onConnected.apply(client))
                .<Void>mapEmpty()
                .onComplete(promise)
                .onComplete(done -> firstSetup.tryComplete()));
    return client.start().compose(started -> firstSetup.future()).map(client);
  }
}
