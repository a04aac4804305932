// Usage: node check.mjs <base-url> <model> <api-key>
// Exits non-zero unless the official SDK gets a chat completion, can list the models, and can follow a batch
// (created inline with the SDK's generic post, since Spillway takes no file uploads) to its output file.
import OpenAI from "openai";

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, timeout: 120_000, maxRetries: 0 });

const models = await client.models.list();
const ids = models.data.map((m) => m.id);
if (!ids.includes(model)) throw new Error(`model ${model} not listed: ${ids}`);

const completion = await client.chat.completions.create({
  model,
  max_tokens: 8,
  messages: [{ role: "user", content: "Hello from the OpenAI SDK" }],
});
if (completion.object !== "chat.completion") throw new Error(`unexpected object ${completion.object}`);
if (completion.choices[0].message.role !== "assistant") throw new Error("no assistant message");
if (!(completion.usage.completion_tokens > 0)) throw new Error("no completion tokens");

try {
  await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] });
  throw new Error("unknown model was accepted");
} catch (e) {
  if (!(e instanceof OpenAI.NotFoundError)) throw e;
  if (e.code !== "model_not_found") throw new Error(`unexpected error code ${e.code}`);
}

try {
  await new OpenAI({ baseURL, apiKey: "not-a-key", maxRetries: 0 }).models.list();
  throw new Error("a wrong key was accepted");
} catch (e) {
  if (!(e instanceof OpenAI.AuthenticationError)) throw e;
}

const lines = ["first", "second"].map((customId) => ({
  custom_id: customId, method: "POST", url: "/v1/chat/completions",
  body: { model, max_tokens: 4, messages: [{ role: "user", content: `batch ${customId}` }] },
}));
const created = await client.post("/batches", { body: { requests: lines, completion_window: "24h" } });
let batch = await client.batches.retrieve(created.id);
const until = Date.now() + 120_000;
while (batch.status !== "completed") {
  if (Date.now() > until || ["failed", "expired", "cancelled"].includes(batch.status)) {
    throw new Error(`batch ${batch.id} ended as ${batch.status}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  batch = await client.batches.retrieve(created.id);
}
if (batch.request_counts.completed !== 2) throw new Error(`unexpected counts ${JSON.stringify(batch.request_counts)}`);
const listed = await client.batches.list({ limit: 5 });
if (!listed.data.some((b) => b.id === batch.id)) throw new Error("batch not listed");
const output = await (await client.files.content(batch.output_file_id)).text();
const results = output.trim().split("\n").map((line) => JSON.parse(line));
if (results.map((r) => r.custom_id).join() !== "first,second") throw new Error(`unexpected output ${output}`);
if (!results.every((r) => r.response.status_code === 200 && r.response.body.object === "chat.completion")) {
  throw new Error(`unexpected output ${output}`);
}

console.log(JSON.stringify({ ok: true, id: completion.id, usage: completion.usage, batch: batch.id }));
