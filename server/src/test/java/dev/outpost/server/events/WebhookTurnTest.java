package dev.outpost.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the next claim of deliveries starts: after the webhook the last one ended its turn with.
 */
class WebhookTurnTest {

  /**
   * Verifies that the turn's end is read from the webhooks' order in the turn, not from the order
   * the rows came back in: GIVEN a turn that started after webhook 5 and took 7, 9, then wrapped to
   * 2 and 3 WHEN the rows come back in any order THEN the turn ended with 3; one that did not wrap
   * ended with its largest id.
   */
  @Test
  void theTurnEndsWhereTheClaimsOrderDoes() {
    assertThat(WebhookVerticle.lastInTurn(claimed(3, 9, 2, 7), 5)).isEqualTo(3);
    assertThat(WebhookVerticle.lastInTurn(claimed(2, 3, 7, 9), 5)).isEqualTo(3);
    assertThat(WebhookVerticle.lastInTurn(claimed(9, 7, 8), 5)).isEqualTo(9);
    assertThat(WebhookVerticle.lastInTurn(claimed(4, 1), 0)).isEqualTo(4);
  }

  private static List<WebhookStore.Claimed> claimed(long... webhooks) {
    return Arrays.stream(webhooks)
        .mapToObj(w -> new WebhookStore.Claimed(w * 100, w, "{}", 1, Instant.EPOCH, "url", "s"))
        .toList();
  }
}
