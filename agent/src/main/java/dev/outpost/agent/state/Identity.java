package dev.outpost.agent.state;

/**
 * Who the server knows this agent as, from its {@code set-id} message.
 *
 * @param secureId sent as {@code X-Computer-ID} on every exchange; a secret
 * @param insecureId the computer's id, used only to ping
 */
public record Identity(String secureId, long insecureId) {

  @Override
  public String toString() {
    return "Identity[insecureId=" + insecureId + "]";
  }
}
