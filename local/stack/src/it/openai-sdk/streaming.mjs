// Usage: node streaming.mjs <base-url> <model> <api-key>
// Exits non-zero unless the official SDK streams, calls tools, gets JSON output and keeps DeepSeek's fields, on
// the direct lane (the stand-in's "official" side answers) and on the spill lane (it answers 429 "Server busy"
// to the commands addressed @official, so the request spills to the worker, whose engine calls the "fleet" side).
import OpenAI from "openai";

const [baseURL, model, apiKey] = process.argv.slice(2);
// Prefer: wait=110 (RFC 7240, see docs/api.md) keeps a spilled request waiting on a slow shared CI machine
const client = new OpenAI({ baseURL, apiKey, timeout: 120_000, maxRetries: 0, defaultHeaders: { Prefer: "wait=110" } });
const fail = (message) => { throw new Error(message); };
const results = {};

async function streamed(content, extra = {}) {
  const { data: stream, response } = await client.chat.completions.create({
    model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content }], ...extra,
  }).withResponse();
  const lane = response.headers.get("x-spillway-lane");
  let text = "", reasoning = "", args = "", toolName = null, usage = null, finish = null, chunks = 0;
  let contentChunks = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.object !== "chat.completion.chunk") fail(`unexpected chunk ${JSON.stringify(chunk)}`);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? "";
    if (choice.delta.content) contentChunks++;
    reasoning += choice.delta.reasoning_content ?? "";
    for (const call of choice.delta.tool_calls ?? []) {
      toolName = call.function?.name ?? toolName;
      args += call.function?.arguments ?? "";
    }
    finish = choice.finish_reason ?? finish;
  }
  return { text, reasoning, args, toolName, usage, finish, chunks, contentChunks, lane };
}

const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object",
  properties: { city: { type: "string" } } } } }];

// a stream that breaks off raises, never ends as if complete (first: the 429s below open the direct target's
// circuit breaker, after which even this request would spill)
try {
  await streamed("cutstream please");
  fail("a broken stream looked complete");
} catch (e) {
  if (!(e instanceof OpenAI.APIError)) throw e;
  results.brokenStream = e.message;
}

for (const [lane, prefix] of [["direct", ""], ["spill", "busy:300@official "]]) {
  // streaming with async iteration: content and usage
  const plain = await streamed(`${prefix}stream me`);
  if (plain.text !== `echo: ${prefix}stream me`) fail(`${lane}: streamed text ${JSON.stringify(plain)}`);
  if (!(plain.usage?.completion_tokens > 0)) fail(`${lane}: no usage chunk ${JSON.stringify(plain)}`);
  if (plain.finish !== "stop") fail(`${lane}: finish ${plain.finish}`);
  if (plain.lane !== lane) fail(`${lane}: answered on the ${plain.lane} lane`);
  // the fleet's tokens as the worker streamed them (a word per chunk), not one replayed delta
  if (plain.contentChunks < 2) fail(`${lane}: ${plain.contentChunks} content chunk(s) ${JSON.stringify(plain)}`);

  // tool calls, JSON output and DeepSeek's fields, whole
  const whole = await client.chat.completions.create({
    model, messages: [{ role: "user", content: `${prefix}rich weather` }], tools, tool_choice: "auto",
    response_format: { type: "json_object" }, logprobs: true, top_logprobs: 1,
  });
  const message = whole.choices[0].message;
  if (message.tool_calls?.[0]?.function?.name !== "get_weather") fail(`${lane}: no tool call ${JSON.stringify(whole)}`);
  if (JSON.parse(message.tool_calls[0].function.arguments).city !== "Oslo") fail(`${lane}: arguments`);
  if (!message.reasoning_content) fail(`${lane}: reasoning_content lost`);
  if (whole.system_fingerprint !== "fp_deep_1") fail(`${lane}: system_fingerprint lost`);
  if (whole.usage.prompt_cache_hit_tokens !== 8) fail(`${lane}: prompt_cache_hit_tokens lost`);
  if (whole.choices[0].logprobs?.content?.[0]?.token !== "Hi") fail(`${lane}: logprobs lost`);
  if (whole.x_future_field?.kept?.length !== 4) fail(`${lane}: unknown field lost`);

  // tool calls and reasoning, streamed
  const rich = await streamed(`${prefix}rich stream`, { tools });
  if (rich.toolName !== "get_weather" || JSON.parse(rich.args).city !== "Oslo") fail(`${lane}: ${JSON.stringify(rich)}`);
  if (!rich.reasoning.includes("weather")) fail(`${lane}: streamed reasoning lost ${JSON.stringify(rich)}`);
  if (rich.usage?.prompt_cache_hit_tokens !== 8) fail(`${lane}: streamed usage ${JSON.stringify(rich.usage)}`);
  results[lane] = { chunks: plain.chunks, contentChunks: plain.contentChunks, richChunks: rich.chunks };
}

console.log(JSON.stringify({ ok: true, ...results }));
