package dev.spillway.backend.engine.llamacpp;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import dev.spillway.backend.engine.ChunkSink;
import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.upstream.UpstreamException;

/**
 * Embedded llama.cpp ({@code de.kherud:llama}): one loaded model with {@code parallelSlots} slots and continuous
 * batching: a batch ({@link #generateBatch}) or concurrent {@link #generate} calls are decoded together in one
 * {@code llama_decode} per step.
 *
 * <p>The binding returns only text, so tokens are counted here: the completion is streamed and every chunk but the
 * final one is one sampled token (a token that ends mid UTF-8 character is merged into the next chunk, the only
 * case that undercounts); the prompt is counted with the model's tokenizer plus the BOS the server adds.
 *
 * <p>Of OpenAI's request fields it honours the sampling parameters, {@code stop}, the penalties and
 * {@code response_format} (a grammar built from the JSON schema); the intake refuses the rest for models it serves.
 *
 * <p>Load once per process: {@link #close()} stops the server loop but llama.cpp does not free the native memory.
 */
public final class LlamaCppEngine implements InferenceEngine {

    private static final Logger LOG = Logger.getLogger(LlamaCppEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlamaCppSettings settings;
    private final LlamaModel model;
    private final int bosTokens;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final BatchReader reader = new BatchReader();

    public LlamaCppEngine(LlamaCppSettings settings) {
        this.settings = settings;
        if (!Files.isRegularFile(settings.ggufPath())) {
            throw new IllegalArgumentException("no GGUF model at " + settings.ggufPath());
        }
        this.bosTokens = addsBos(settings) ? 1 : 0;
        ModelParameters parameters = new ModelParameters()
                .setModel(settings.ggufPath().toString())
                .setParallel(settings.parallelSlots())
                .enableContBatching()
                .setCtxSize(settings.contextPerSlot() * settings.parallelSlots())
                .setThreads(settings.threads())
                .setThreadsBatch(settings.threads())
                // never drop prompt tokens silently: too-long prompts are rejected before they reach a slot
                .disableContextShift();
        long start = System.nanoTime();
        this.model = new LlamaModel(parameters);
        LOG.infof("llama.cpp loaded %s in %d ms: %d slots x %d tokens, %d threads", settings.ggufPath(),
                (System.nanoTime() - start) / 1_000_000, settings.parallelSlots(), settings.contextPerSlot(),
                settings.threads());
    }

    @Override
    public Generation generate(ChatCompletionRequest request) throws UpstreamException {
        return generate(request, null);
    }

    /** Tells every sampled piece of text to {@code chunks} as it comes out of the decoding loop. */
    @Override
    public Generation generate(ChatCompletionRequest request, ChunkSink chunks) throws UpstreamException {
        try {
            Sequence sequence = prepare(request);
            return read(sequence, model.generate(sequence.parameters()).iterator(), chunks);
        } catch (RuntimeException e) { // the binding's LlamaException is package-private
            throw map(e);
        }
    }

    /**
     * Real batched decoding: every sequence of the batch is queued with llama.cpp before any is read, so the
     * server's next step takes them all into free slots and decodes them together, one {@code llama_decode} per
     * step. One reader thread takes a token from each running sequence in turn, which matches the lock-step of the
     * decoding and costs one thread wake-up per step instead of one per sequence (on a small model, wake-ups cost
     * more than the decoding). A sequence that ends is delivered at once; a failing or cancelled one leaves its mates
     * decoding. Sequences beyond the free slots wait inside llama.cpp. {@code sequences} is not needed.
     */
    @Override
    public List<CompletableFuture<Generation>> generateBatch(List<ChatCompletionRequest> requests,
            Executor sequences) {
        return generateBatch(requests, Collections.nCopies(requests.size(), null), sequences);
    }

    /** As {@link #generateBatch(List, Executor)}; the reader tells each streaming sequence's pieces to its sink. */
    @Override
    public List<CompletableFuture<Generation>> generateBatch(List<ChatCompletionRequest> requests,
            List<ChunkSink> chunks, Executor sequences) {
        List<CompletableFuture<Generation>> outcomes = new ArrayList<>(requests.size());
        List<Reading> started = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            try {
                Sequence sequence = prepare(requests.get(i));
                LlamaIterator pieces = model.generate(sequence.parameters()).iterator(); // queues it, does not block
                Reading reading = new Reading(sequence, pieces, chunks.get(i));
                started.add(reading);
                outcomes.add(reading);
            } catch (UpstreamException e) {
                outcomes.add(CompletableFuture.failedFuture(e));
            } catch (RuntimeException e) {
                outcomes.add(CompletableFuture.failedFuture(map(e)));
            }
        }
        reader.addAll(started);
        return outcomes;
    }

    /** A batched sequence being read: its text so far, and its outcome. */
    private static final class Reading extends CompletableFuture<Generation> {

        final Sequence sequence;
        final LlamaIterator chunks;
        final ChunkSink sink;
        final StringBuilder content = new StringBuilder();
        int completionTokens;

        Reading(Sequence sequence, LlamaIterator chunks, ChunkSink sink) {
            this.sequence = sequence;
            this.chunks = chunks;
            this.sink = sink;
        }

        /** Takes the sequence's next chunk; true once it has ended (and its outcome is set). */
        boolean readOne() {
            if (isCancelled()) {
                chunks.cancel(); // frees the slot for other requests
                return true;
            }
            try {
                if (chunks.hasNext()) {
                    String piece = chunks.next().text;
                    content.append(piece);
                    tell(sink, piece);
                    if (chunks.hasNext()) { // the last message only closes the stream
                        completionTokens++;
                        return false;
                    }
                }
                complete(new Generation(content.toString(), completionTokens >= sequence.limit() ? "length" : "stop",
                        sequence.promptTokens(), completionTokens));
            } catch (RuntimeException e) {
                completeExceptionally(map(e));
            }
            return true;
        }
    }

    /** The thread that reads every batched sequence, one token each per turn. */
    private final class BatchReader implements Runnable {

        private final LinkedBlockingQueue<Reading> joining = new LinkedBlockingQueue<>();
        private Thread thread;

        synchronized void addAll(List<Reading> readings) {
            joining.addAll(readings);
            if (thread == null) {
                thread = new Thread(this, "spillway-llamacpp-reader");
                thread.setDaemon(true);
                thread.start();
            }
        }

        @Override
        public void run() {
            List<Reading> running = new ArrayList<>();
            try {
                while (!closed.get()) {
                    if (running.isEmpty()) {
                        running.add(joining.take());
                    }
                    joining.drainTo(running);
                    running.removeIf(Reading::readOne);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.forEach(reading -> reading.completeExceptionally(UpstreamException.retryable("engine_closed",
                        "the llama.cpp engine is shut down", null, null)));
            }
        }

        synchronized void stop() {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /** A request turned into what llama.cpp runs, with its prompt measured against the slot's context. */
    private record Sequence(InferenceParameters parameters, int promptTokens, int limit) {
    }

    private Sequence prepare(ChatCompletionRequest request) throws UpstreamException {
        if (closed.get()) {
            throw UpstreamException.retryable("engine_closed", "the llama.cpp engine is shut down", null, null);
        }
        String prompt = switch (request.kind()) {
            case CHAT -> model.applyTemplate(templateInput(request));
            // a text completion continues the prompt as it is, no chat template around it
            case COMPLETION -> request.prompt();
            case EMBEDDING -> throw UpstreamException.permanent("unsupported_endpoint",
                    "The embedded llama.cpp engine does not load its model for embeddings.");
        };
        if (prompt == null) { // the intake admits only one string for this engine
            throw UpstreamException.permanent("unsupported_prompt",
                    "The embedded llama.cpp engine completes one text prompt.");
        }
        int promptTokens = countTokens(prompt) + bosTokens;
        int context = settings.contextPerSlot();
        if (promptTokens >= context) {
            throw UpstreamException.permanent("context_length_exceeded", "This model's maximum context length is "
                    + context + " tokens, but the messages take " + promptTokens + " tokens.");
        }
        int maxTokens = request.maxTokens() != null ? request.maxTokens() : settings.defaultMaxTokens();
        // The slot's context bounds the completion: hitting it is a length stop, as at max_tokens.
        int limit = Math.max(1, Math.min(maxTokens, context - promptTokens));
        return new Sequence(parameters(prompt, limit, request), promptTokens, limit);
    }

    private static void tell(ChunkSink sink, String piece) {
        if (sink != null && piece != null && !piece.isEmpty()) {
            sink.text(piece);
        }
    }

    private static Generation read(Sequence sequence, LlamaIterator chunks, ChunkSink sink)
            throws UpstreamException {
        StringBuilder content = new StringBuilder();
        int completionTokens = 0;
        while (chunks.hasNext()) {
            LlamaOutput chunk = chunks.next();
            content.append(chunk.text);
            tell(sink, chunk.text);
            if (chunks.hasNext()) { // the last message only closes the stream
                completionTokens++;
            }
            if (Thread.currentThread().isInterrupted() && chunks.hasNext()) {
                chunks.cancel(); // frees the slot for other requests
                throw UpstreamException.retryable("engine_interrupted", "generation was interrupted", null, null);
            }
        }
        String finishReason = completionTokens >= sequence.limit() ? "length" : "stop";
        return new Generation(content.toString(), finishReason, sequence.promptTokens(), completionTokens);
    }

    private static InferenceParameters parameters(String prompt, int limit, ChatCompletionRequest request) {
        InferenceParameters parameters = new InferenceParameters(prompt).setNPredict(limit);
        // Unset sampling fields keep llama.cpp's defaults; temperature 0 is greedy decoding there.
        if (request.temperature() != null) {
            parameters.setTemperature(request.temperature().floatValue());
        }
        if (request.topP() != null) {
            parameters.setTopP(request.topP().floatValue());
        }
        if (request.seed() != null) {
            parameters.setSeed((int) request.seed().longValue()); // llama.cpp seeds are 32 bits
        }
        if (request.stop() != null) {
            parameters.setStopStrings(request.stop().toArray(String[]::new));
        }
        JsonNode body = request.body();
        if (body.path("frequency_penalty").isNumber()) {
            parameters.setFrequencyPenalty(body.get("frequency_penalty").floatValue());
        }
        if (body.path("presence_penalty").isNumber()) {
            parameters.setPresencePenalty(body.get("presence_penalty").floatValue());
        }
        grammar(request.responseFormat()).ifPresent(parameters::setGrammar);
        return parameters;
    }

    /**
     * JSON output through a grammar that only lets the model sample what the schema allows: {@code json_schema}'s
     * schema, or any object for {@code json_object}. The intake has already refused what this engine cannot do.
     */
    static Optional<String> grammar(JsonNode responseFormat) {
        String schema = switch (responseFormat.path("type").asText("text")) {
            case "json_object" -> "{\"type\":\"object\"}";
            case "json_schema" -> {
                JsonNode given = responseFormat.path("json_schema").path("schema");
                yield given.isObject() ? given.toString() : "{}";
            }
            default -> null;
        };
        return Optional.ofNullable(schema).map(LlamaModel::jsonSchemaToGrammar);
    }

    /** OpenAI-style messages, rendered by the model's own chat template through the native call. */
    private static String templateInput(ChatCompletionRequest request) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject()
                    .put("role", message.role())
                    .put("content", message.content() == null ? "" : message.content());
        }
        return body.toString();
    }

    /** Tokens of {@code text} as the model's tokenizer splits it (special tokens parsed, no BOS added). */
    public int countTokens(String text) {
        return model.encode(text).length;
    }

    private static UpstreamException map(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("context size") || message.contains("context length")) {
            return UpstreamException.permanent("context_length_exceeded", message);
        }
        UpstreamException failure = new UpstreamException("llama.cpp failed: " + message, false, "engine_error",
                null, e);
        LOG.warn("llama.cpp generation failed", e);
        return failure;
    }

    private static boolean addsBos(LlamaCppSettings settings) {
        try {
            Map<String, Object> metadata = GgufMetadata.scalars(settings.ggufPath());
            Object flag = metadata.get("tokenizer.ggml.add_bos_token");
            // llama.cpp's default when the key is absent: SentencePiece ("llama") vocabularies add BOS
            return flag instanceof Boolean b ? b : "llama".equals(metadata.get("tokenizer.ggml.model"));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot read GGUF metadata of %s (%s); assuming the tokenizer adds BOS", settings.ggufPath(), e);
            return true;
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            reader.stop();
            model.close(); // stops the server loop; the native memory stays allocated (llama.cpp limitation)
        }
    }
}
