// Usage: node check.mjs <base-url> <model> <api-key>
// Exits non-zero unless the official SDK gets a chat completion and can list the models.
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

console.log(JSON.stringify({ ok: true, id: completion.id, usage: completion.usage }));
