package dev.sluice.mock;

import java.util.ArrayList;
import java.util.List;

/**
 * A chat prompt assembled from an API's own message shapes (a Responses input, an Anthropic conversation): each
 * message's role and text parts, in order, as the chat template will see them. The parts of one message are counted
 * one by one, as the chat endpoint counts a content array.
 */
final class ChatPrompt {

  /** One chat message: its role and its text parts. */
  record Message(String role, List<String> parts) {
    Message {
      parts = List.copyOf(parts);
    }
  }

  private final List<Message> messages = new ArrayList<>();

  ChatPrompt add(String role, List<String> parts) {
    messages.add(new Message(role, parts));
    return this;
  }

  ChatPrompt add(String role, String text) {
    return add(role, List.of(text));
  }

  ChatPrompt addAll(List<Message> more) {
    messages.addAll(more);
    return this;
  }

  List<Message> messages() {
    return List.copyOf(messages);
  }

  /** The prompt as the engine driver takes it: no stream options, no token ids given directly. */
  MockRequest toRequest(String model, boolean stream, int maxTokens, String maxTokensParam) {
    List<String> texts = new ArrayList<>();
    List<String> roles = new ArrayList<>(messages.size());
    int[] ends = new int[messages.size()];
    long chars = 0;
    for (int m = 0; m < messages.size(); m++) {
      Message message = messages.get(m);
      for (String part : message.parts()) {
        texts.add(part);
        chars += part.length();
      }
      roles.add(message.role());
      ends[m] = texts.size();
    }
    return new MockRequest(model, stream, MockRequest.StreamOptions.NONE, maxTokens, maxTokensParam, texts, roles, ends,
        chars, new int[0]);
  }
}
