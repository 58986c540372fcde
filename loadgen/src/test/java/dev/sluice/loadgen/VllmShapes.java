package dev.sluice.loadgen;

/**
 * Answers of each API laid out byte for byte as vLLM writes them (compact JSON, keys in its models' order), for
 * the tests' own servers. Every stream states 2 or 3 tokens and its usage; the numbers are in the constants below.
 */
final class VllmShapes {

  private VllmShapes() {
  }

  static final String CHAT_STREAM = ""
      + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
      + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
      + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
      + "[{\"index\":0,\"delta\":{\"content\":\" the\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
      + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
      + "[{\"index\":0,\"delta\":{\"content\":\" fox\"},\"logprobs\":null,\"finish_reason\":\"length\","
      + "\"stop_reason\":null}]}\n\n"
      + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
      + "\"usage\":{\"prompt_tokens\":31,\"total_tokens\":33,\"completion_tokens\":2}}\n\n"
      + "data: [DONE]\n\n";

  static final String RESPONSES_STREAM = ""
      + "event: response.created\n"
      + "data: {\"response\":{\"id\":\"resp_1\",\"created_at\":1,\"incomplete_details\":null,\"instructions\":null,"
      + "\"model\":\"m\",\"object\":\"response\",\"output\":[],\"max_output_tokens\":2,\"status\":\"in_progress\","
      + "\"usage\":null},\"sequence_number\":0,\"type\":\"response.created\"}\n\n"
      + "event: response.in_progress\n"
      + "data: {\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"usage\":null},\"sequence_number\":1,"
      + "\"type\":\"response.in_progress\"}\n\n"
      + "event: response.output_item.added\n"
      + "data: {\"item\":{\"id\":\"msg_1\",\"content\":[],\"role\":\"assistant\",\"status\":\"in_progress\",\"type\":"
      + "\"message\"},\"output_index\":0,\"sequence_number\":2,\"type\":\"response.output_item.added\"}\n\n"
      + "event: response.content_part.added\n"
      + "data: {\"content_index\":0,\"item_id\":\"msg_1\",\"output_index\":0,\"part\":{\"annotations\":[],\"text\":\"\","
      + "\"type\":\"output_text\",\"logprobs\":[]},\"sequence_number\":3,\"type\":\"response.content_part.added\"}\n\n"
      + "event: response.output_text.delta\n"
      + "data: {\"content_index\":0,\"delta\":\" the\",\"item_id\":\"msg_1\",\"logprobs\":[],\"output_index\":0,"
      + "\"sequence_number\":4,\"type\":\"response.output_text.delta\"}\n\n"
      + "event: response.output_text.delta\n"
      + "data: {\"content_index\":0,\"delta\":\" fox\",\"item_id\":\"msg_1\",\"logprobs\":[],\"output_index\":0,"
      + "\"sequence_number\":5,\"type\":\"response.output_text.delta\"}\n\n"
      + "event: response.output_text.done\n"
      + "data: {\"content_index\":0,\"item_id\":\"msg_1\",\"logprobs\":[],\"output_index\":0,\"sequence_number\":6,"
      + "\"text\":\" the fox\",\"type\":\"response.output_text.done\"}\n\n"
      + "event: response.content_part.done\n"
      + "data: {\"content_index\":0,\"item_id\":\"msg_1\",\"output_index\":0,\"part\":{\"annotations\":[],\"text\":"
      + "\" the fox\",\"type\":\"output_text\",\"logprobs\":null},\"sequence_number\":7,\"type\":"
      + "\"response.content_part.done\"}\n\n"
      + "event: response.output_item.done\n"
      + "data: {\"item\":{\"id\":\"msg_1\",\"content\":[{\"annotations\":[],\"text\":\" the fox\",\"type\":"
      + "\"output_text\",\"logprobs\":null}],\"role\":\"assistant\",\"status\":\"completed\",\"type\":\"message\"},"
      + "\"output_index\":0,\"sequence_number\":8,\"type\":\"response.output_item.done\"}\n\n"
      + "event: response.completed\n"
      + "data: {\"response\":{\"id\":\"resp_1\",\"max_output_tokens\":2,\"status\":\"incomplete\",\"usage\":"
      + "{\"input_tokens\":29,\"input_tokens_details\":{\"cached_tokens\":16,\"input_tokens_per_turn\":[],"
      + "\"cached_tokens_per_turn\":[]},\"output_tokens\":2,\"output_tokens_details\":{\"reasoning_tokens\":0,"
      + "\"tool_output_tokens\":0,\"output_tokens_per_turn\":[],\"tool_output_tokens_per_turn\":[]},"
      + "\"total_tokens\":31}},\"sequence_number\":9,\"type\":\"response.completed\"}\n\n";

  static final String MESSAGES_STREAM = ""
      + "event: message_start\n"
      + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"chatcmpl-1\",\"type\":\"message\",\"role\":"
      + "\"assistant\",\"content\":[],\"model\":\"m\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
      + "{\"input_tokens\":27,\"output_tokens\":0}}}\n\n"
      + "event: content_block_start\n"
      + "data: {\"type\":\"content_block_start\",\"content_block\":{\"type\":\"text\",\"text\":\"\"},\"index\":0}\n\n"
      + "event: content_block_delta\n"
      + "data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\" the\"},\"index\":0}\n\n"
      + "event: content_block_delta\n"
      + "data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\" fox\"},\"index\":0}\n\n"
      + "event: content_block_delta\n"
      + "data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\" jumps\"},"
      + "\"index\":0}\n\n"
      + "event: content_block_stop\n"
      + "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      + "event: message_delta\n"
      + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"input_tokens\":27,"
      + "\"output_tokens\":3}}\n\n"
      + "event: message_stop\n"
      + "data: {\"type\":\"message_stop\"}\n\n";

  static final String EMBEDDINGS_BODY = "{\"id\":\"embd-1\",\"object\":\"list\",\"created\":1,\"model\":\"m\","
      + "\"data\":[{\"index\":0,\"object\":\"embedding\",\"embedding\":[0.1,-0.2,0.3]}],"
      + "\"usage\":{\"prompt_tokens\":12,\"total_tokens\":12,\"completion_tokens\":0,\"prompt_tokens_details\":null}}";

  static final String CHAT_BODY = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\" the fox\","
      + "\"refusal\":null,\"tool_calls\":[],\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":\"length\","
      + "\"stop_reason\":null}],\"service_tier\":null,\"system_fingerprint\":null,\"usage\":{\"prompt_tokens\":31,"
      + "\"total_tokens\":33,\"completion_tokens\":2,\"prompt_tokens_details\":null},\"prompt_logprobs\":null,"
      + "\"kv_transfer_params\":null}";

  static final String COMPLETIONS_STREAM = "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\" the\",\"logprobs\":null,\"finish_reason\":null,"
      + "\"stop_reason\":null}]}\n\n"
      + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":"
      + "[{\"index\":0,\"text\":\" fox\",\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}]}\n\n"
      + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[],"
      + "\"usage\":{\"prompt_tokens\":24,\"total_tokens\":26,\"completion_tokens\":2}}\n\n"
      + "data: [DONE]\n\n";

  static final String RESPONSES_BODY = "{\"id\":\"resp_1\",\"created_at\":1,\"incomplete_details\":{\"reason\":"
      + "\"max_output_tokens\"},\"instructions\":null,\"metadata\":null,\"model\":\"m\",\"object\":\"response\","
      + "\"output\":[{\"id\":\"msg_1\",\"content\":[{\"annotations\":[],\"text\":\" the fox\",\"type\":"
      + "\"output_text\",\"logprobs\":null}],\"role\":\"assistant\",\"status\":\"completed\",\"type\":\"message\"}],"
      + "\"max_output_tokens\":2,\"status\":\"incomplete\",\"usage\":{\"input_tokens\":29,\"input_tokens_details\":"
      + "{\"cached_tokens\":0,\"input_tokens_per_turn\":[],\"cached_tokens_per_turn\":[]},\"output_tokens\":2,"
      + "\"output_tokens_details\":{\"reasoning_tokens\":0,\"tool_output_tokens\":0,\"output_tokens_per_turn\":[],"
      + "\"tool_output_tokens_per_turn\":[]},\"total_tokens\":31},\"user\":null}";

  static final String MESSAGES_BODY = "{\"id\":\"chatcmpl-1\",\"type\":\"message\",\"role\":\"assistant\","
      + "\"content\":[{\"type\":\"text\",\"text\":\" the fox jumps\"}],\"model\":\"m\",\"stop_reason\":"
      + "\"max_tokens\",\"usage\":{\"input_tokens\":27,\"output_tokens\":3}}";

  /** vLLM's refusal on every OpenAI-shaped endpoint. */
  static final String OPENAI_ERROR = "{\"error\":{\"message\":\"max_tokens=9000 cannot be greater than "
      + "max_model_len=max_total_tokens=4096. Please request fewer output tokens. (parameter=max_tokens, value=9000)\","
      + "\"type\":\"BadRequestError\",\"param\":\"max_tokens\",\"code\":400}}";

  /** The same refusal as /v1/messages translates it. */
  static final String ANTHROPIC_ERROR = "{\"type\":\"error\",\"error\":{\"type\":\"BadRequestError\",\"message\":"
      + "\"max_tokens=9000 cannot be greater than max_model_len=max_total_tokens=4096.\"}}";
}
