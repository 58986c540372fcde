// Runs the official OpenAI and Anthropic Node clients against a Sluice node and prints one JSON object with what
// each call returned. Usage: node official-clients.mjs BASE_URL MODEL (BASE_URL without /v1).
// OfficialClientsTest starts the node in front of mock vLLM pools and checks the output.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const [base, model] = process.argv.slice(2);
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test', maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base, apiKey: 'sk-test', maxRetries: 0 });
const out = {};

const prompt = 'Write one short sentence about rivers.';

// Responses, not streamed
const response = await openai.responses.create({ model, input: prompt, max_output_tokens: 12 });
out.responses = { status: response.status, text: response.output_text, usage: response.usage };

// Responses, streamed: every event type in order, the text deltas, the final usage
const events = [];
let streamedText = '';
let streamedUsage = null;
const stream = await openai.responses.create({
  model, stream: true, max_output_tokens: 12,
  input: [{ role: 'user', content: [{ type: 'input_text', text: prompt }] }],
});
for await (const event of stream) {
  events.push(event.type);
  if (event.type === 'response.output_text.delta') streamedText += event.delta;
  if (event.type === 'response.completed') streamedUsage = event.response.usage;
}
out.responsesStream = { events, text: streamedText, usage: streamedUsage };

// Embeddings, with the client's defaults (it asks for base64 and decodes it)
const embeddings = await openai.embeddings.create({ model, input: ['first text', 'second text'] });
out.embeddings = {
  count: embeddings.data.length,
  dimensions: embeddings.data[0].embedding.length,
  usage: embeddings.usage,
};

// Anthropic Messages, streamed and not
const messageEvents = [];
let messageText = '';
const messageStream = anthropic.messages.stream({
  model, max_tokens: 12, system: 'Be brief.', messages: [{ role: 'user', content: prompt }],
});
for await (const event of messageStream) {
  messageEvents.push(event.type);
  if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') messageText += event.delta.text;
}
const final = await messageStream.finalMessage();
out.messagesStream = { events: messageEvents, text: messageText, usage: final.usage, stopReason: final.stop_reason };
const message = await anthropic.messages.create({
  model, max_tokens: 12, messages: [{ role: 'user', content: prompt }],
});
out.messages = { text: message.content[0].text, usage: message.usage };

// Anthropic's error shape, read by its own client
try {
  await anthropic.messages.create({ model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
  out.messagesError = { status: 0 };
} catch (e) {
  out.messagesError = { status: e.status, type: e.error?.error?.type ?? null };
}

console.log(JSON.stringify(out));
