package dev.outpost.server.jobs;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job queue's consumer: one broker connection with manual acks and a prefetch bound, each
 * message handed on as the activity it names, and the acks and requeues of the messages (see {@link
 * Acks}). Only the job-handler's context calls it.
 */
final class JobConsumer {

  private static final Logger LOG = LoggerFactory.getLogger(JobConsumer.class);

  private final Vertx vertx;
  private final String amqpUrl;
  private final String queue;
  private final int prefetch;
  private final Acks acks;
  private RabbitMQClient client;
  private RabbitMQConsumer consumer;

  /** A consumer of the queue holding at most {@code prefetch} unacknowledged messages. */
  JobConsumer(Vertx vertx, String amqpUrl, String queue, int prefetch) {
    this.vertx = vertx;
    this.amqpUrl = amqpUrl;
    this.queue = queue;
    this.prefetch = prefetch;
    this.acks =
        new Acks(
            new Acks.Channel() {
              @Override
              public Future<Void> ack(long tag, boolean multiple) {
                return client.basicAck(tag, multiple);
              }

              @Override
              public Future<Void> requeue(long tag) {
                return client.basicNack(tag, false, true);
              }
            });
  }

  /** Where the messages handed on are acked or given back. */
  Acks acks() {
    return acks;
  }

  /**
   * Connects and subscribes; every readable message then goes to {@code messages}, while an
   * unreadable one is acked and dropped.
   */
  Future<Void> start(Consumer<JobMessage> messages) {
    return Broker.connect(vertx, amqpUrl, queue, this::onConnected)
        .compose(
            connected -> {
              client = connected;
              // The client re-subscribes this consumer by itself after a reconnection.
              return connected.basicConsumer(
                  queue, new QueueOptions().setAutoAck(false).setMaxInternalQueueSize(prefetch));
            })
        .onSuccess(
            subscribed -> {
              consumer = subscribed;
              consumer.handler(message -> handle(message, messages));
            })
        .mapEmpty();
  }

  /**
   * Stops taking messages; acks still go out. Cancel before closing: a consumer still subscribed
   * when the connection closes is restarted.
   */
  Future<Void> cancel() {
    return consumer == null ? Future.succeededFuture() : consumer.cancel();
  }

  /** Closes the connection; messages not acked by then go back to the queue. */
  Future<Void> stop() {
    return client == null ? Future.succeededFuture() : client.stop();
  }

  /** On every (re)connection: the prefetch bound, and a new channel for acks. */
  private Future<?> onConnected(RabbitMQClient connected) {
    acks.newChannel();
    return connected.basicQos(prefetch);
  }

  private void handle(RabbitMQMessage message, Consumer<JobMessage> messages) {
    long tag = message.envelope().getDeliveryTag();
    long channel = acks.channel();
    acks.received(tag);
    Optional<Long> activityId = activityId(message);
    if (activityId.isEmpty()) {
      LOG.warn("unreadable job message dropped [body: {}]", message.body());
      acks.ack(channel, List.of(tag));
      return;
    }
    messages.accept(new JobMessage(activityId.get(), channel, tag));
  }

  private static Optional<Long> activityId(RabbitMQMessage message) {
    try {
      return Optional.ofNullable(new JsonObject(message.body()).getLong("activity_id"));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
