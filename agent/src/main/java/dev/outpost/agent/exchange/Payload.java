package dev.outpost.agent.exchange;

import java.util.Map;
import java.util.Optional;

/**
 * One exchange request, as built from the agent's state.
 *
 * @param body the payload dict
 * @param sent how many outbox messages it carries
 * @param secureId the {@code X-Computer-ID} header, once registered
 * @param token the {@code X-Exchange-Token} header, when the last response gave one
 * @param serverApi the {@code X-Message-API} header
 */
public record Payload(
    Map<String, Object> body,
    int sent,
    Optional<String> secureId,
    Optional<String> token,
    String serverApi) {}
