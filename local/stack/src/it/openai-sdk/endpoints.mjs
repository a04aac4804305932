// Usage: node endpoints.mjs <base-url> <model> <api-key>
// Exits non-zero unless the official SDK's client.completions.create (a FIM prompt with suffix, whole and streamed)
// and client.embeddings.create (base64 by default, which the SDK decodes, and floats) work on the direct lane (the
// stand-in's "official" side answers) and on the spill lane (it answers 429 "Server busy" with a Retry-After of 300 s,
// past the wait budget, to the commands addressed @official, so the request spills to the worker at once, whose
// engine calls the "fleet" side).
import OpenAI from "openai";

const [baseURL, model, apiKey] = process.argv.slice(2);
// Prefer: wait=110 (RFC 7240, see docs/api.md) keeps a spilled request waiting on a slow shared CI machine
const client = new OpenAI({ baseURL, apiKey, timeout: 120_000, maxRetries: 0, defaultHeaders: { Prefer: "wait=110" } });
const fail = (message) => { throw new Error(message); };
const results = {};

// the stand-in's vector for an input: (length + index) / (d + 1), as float32
const expectedVector = (input, index, dimensions) =>
  Array.from({ length: dimensions }, (_, d) => Math.fround((input.length + index) / (d + 1)));
const sameVector = (actual, expected) =>
  actual.length === expected.length && actual.every((value, i) => Math.abs(value - expected[i]) < 1e-6);

// every direct-lane call first: the spilled calls' 429s count against the direct target's circuit breaker
for (const [lane, prefix] of [["direct", ""], ["spill", "busy:300@official "]]) {
  // a FIM completion, whole: prompt plus suffix
  const fim = await client.completions.create({
    model, prompt: `${prefix}def fib(a):`, suffix: "    return fib(a - 1) + fib(a - 2)", max_tokens: 32,
  });
  if (fim.object !== "text_completion") fail(`${lane}: completion object ${JSON.stringify(fim)}`);
  if (fim.choices[0].text !== `echo: ${prefix}def fib(a):`) fail(`${lane}: completion ${JSON.stringify(fim)}`);
  if (!(fim.usage?.completion_tokens > 0)) fail(`${lane}: completion usage ${JSON.stringify(fim)}`);

  // a completion, streamed with async iteration: text_completion chunks, usage last
  const stream = await client.completions.create({
    model, prompt: `${prefix}stream text`, stream: true, stream_options: { include_usage: true },
  });
  let text = "", usage = null, finish = null, chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.object !== "text_completion") fail(`${lane}: unexpected chunk ${JSON.stringify(chunk)}`);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.text ?? "";
    finish = choice.finish_reason ?? finish;
  }
  if (text !== `echo: ${prefix}stream text`) fail(`${lane}: streamed text ${JSON.stringify(text)}`);
  if (finish !== "stop") fail(`${lane}: streamed finish ${finish}`);
  if (!(usage?.completion_tokens > 0)) fail(`${lane}: no usage chunk`);

  // embeddings: the SDK asks for base64 unless told otherwise, and decodes the vectors itself
  const inputs = [`${prefix}embed me`, "and me"];
  const decoded = await client.embeddings.create({ model, input: inputs });
  if (decoded.data.length !== 2) fail(`${lane}: embeddings ${JSON.stringify(decoded)}`);
  decoded.data.forEach((item, i) => {
    if (!sameVector(item.embedding, expectedVector(inputs[0], i, 3))) {
      fail(`${lane}: embedding ${i} ${JSON.stringify(item.embedding)}`);
    }
  });
  const floats = await client.embeddings.create({
    model, input: `${prefix}embed floats`, encoding_format: "float", dimensions: 5,
  });
  if (!sameVector(floats.data[0].embedding, expectedVector(`${prefix}embed floats`, 0, 5))) {
    fail(`${lane}: float embedding ${JSON.stringify(floats.data[0])}`);
  }
  results[lane] = { fim: fim.choices[0].text, streamed: text, chunks, embeddings: decoded.data.length };
}

console.log(JSON.stringify({ ok: true, ...results }));
