package dev.spillway.backend.engine.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.backend.engine.Generation;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.upstream.UpstreamException;

class LlamaCppEngineTest {

    private static final int SLOTS = 4;
    private static final int CONTEXT_PER_SLOT = 256;
    private static final int DEFAULT_MAX_TOKENS = 6;

    @TempDir
    static Path dir;

    private static LlamaCppEngine engine;

    @BeforeAll
    static void loadTinyModelOnce() {
        Path model = TinyRandomGguf.writeIfAbsent(dir.resolve("tiny.gguf"));
        engine = new LlamaCppEngine(new LlamaCppSettings(model, SLOTS, CONTEXT_PER_SLOT, 2, DEFAULT_MAX_TOKENS));
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void write_sameSeed_producesIdenticalFilesAndAnotherSeedDiffers() throws Exception {
        // GIVEN two files written with the same seed and one with another
        TinyRandomGguf.write(dir.resolve("a.gguf"), 7);
        TinyRandomGguf.write(dir.resolve("b.gguf"), 7);
        TinyRandomGguf.write(dir.resolve("c.gguf"), 8);

        // THEN the weights are reproducible
        assertThat(Files.mismatch(dir.resolve("a.gguf"), dir.resolve("b.gguf"))).isEqualTo(-1L);
        assertThat(Files.mismatch(dir.resolve("a.gguf"), dir.resolve("c.gguf"))).isNotEqualTo(-1L);
    }

    @Test
    void writeIfAbsent_whenFileExists_leavesItUntouched() throws Exception {
        // GIVEN an existing file at the target path
        Path existing = Files.writeString(dir.resolve("existing.gguf"), "keep me");

        // WHEN
        Path returned = TinyRandomGguf.writeIfAbsent(existing);

        // THEN
        assertThat(returned).isEqualTo(existing);
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }

    @Test
    void generate_greedyWithMaxTokens_returnsExactlyThatManyTokensWithLengthAndIsDeterministic() throws Exception {
        // GIVEN a greedy request limited to 10 tokens
        ChatCompletionRequest request = request("Tell me about the river.", 0.0, 10, null);

        // WHEN it runs twice
        Generation first = engine.generate(request);
        Generation second = engine.generate(request);

        // THEN the limit is hit exactly and greedy decoding repeats itself
        assertThat(first.completionTokens()).isEqualTo(10);
        assertThat(first.finishReason()).isEqualTo("length");
        assertThat(first.content()).isNotEmpty();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void generate_aTextCompletion_continuesThePromptAsItIs_withoutTheChatTemplate() throws Exception {
        // GIVEN a text completion whose prompt the tiny model's tokenizer counts
        String prompt = "The river and the flood";
        ChatCompletionRequest completion = ChatCompletionRequest.of(RequestKind.COMPLETION,
                (ObjectNode) new ObjectMapper().readTree("{\"model\":\"m\",\"prompt\":\"" + prompt
                        + "\",\"max_tokens\":3,\"temperature\":0}"));

        // WHEN
        Generation generation = engine.generate(completion);

        // THEN the prompt went in raw (its own tokens plus BOS, no ChatML around it), and the limit held
        assertThat(generation.promptTokens()).isEqualTo(engine.countTokens(prompt) + 1);
        assertThat(generation.completionTokens()).isEqualTo(3);
        assertThat(generation.finishReason()).isEqualTo("length");
        assertThat(generation.promptTokens()).isLessThan(engine.generate(request(prompt, 0.0, 1, null)).promptTokens());
    }

    @Test
    void generate_anEmbeddingsJob_isRefusedPermanently_theModelIsNotLoadedForEmbeddings() throws Exception {
        ChatCompletionRequest embedding = ChatCompletionRequest.of(RequestKind.EMBEDDING,
                (ObjectNode) new ObjectMapper().readTree("{\"model\":\"m\",\"input\":\"x\"}"));

        UpstreamException e = catchThrowableOfType(UpstreamException.class, () -> engine.generate(embedding));

        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo("unsupported_endpoint");
    }

    @Test
    void generate_countsPromptTokensWithTheModelTokenizerPlusBos() throws Exception {
        // GIVEN a one-message conversation, whose ChatML rendering is known for the tiny model
        ChatCompletionRequest request = request("hello world", 0.0, 1, null);
        String rendered = "<|im_start|>user\nhello world<|im_end|>\n<|im_start|>assistant\n";

        // WHEN
        Generation generation = engine.generate(request);

        // THEN the count is the tokenizer's, plus the BOS llama.cpp prepends, and grows with the conversation
        assertThat(generation.promptTokens()).isPositive().isEqualTo(engine.countTokens(rendered) + 1);
        Generation longer = engine.generate(request("hello world, the river and the flood", 0.0, 1, null));
        assertThat(longer.promptTokens()).isGreaterThan(generation.promptTokens());
    }

    @Test
    void generate_whenMaxTokensIsUnset_usesTheDefault() throws Exception {
        // GIVEN no max_tokens
        // WHEN
        Generation generation = engine.generate(request("water", 0.0, null, null));

        // THEN
        assertThat(generation.completionTokens()).isEqualTo(DEFAULT_MAX_TOKENS);
        assertThat(generation.finishReason()).isEqualTo("length");
    }

    @Test
    void generate_withStopSequence_cutsOutputBeforeItAndFinishesWithStop() throws Exception {
        // GIVEN the greedy output without a stop sequence, and a stop sequence taken from its middle
        String full = engine.generate(request("spill way", 0.0, 24, null)).content();
        int at = Math.max(1, full.length() / 3);
        String stop = full.substring(at, at + 2);
        String expected = full.substring(0, full.indexOf(stop));

        // WHEN the same request carries that stop sequence
        Generation cut = engine.generate(request("spill way", 0.0, 24, List.of(stop)));

        // THEN the output ends right before the stop sequence
        assertThat(cut.content()).isEqualTo(expected).doesNotContain(stop);
        assertThat(cut.finishReason()).isEqualTo("stop");
        assertThat(cut.completionTokens()).isBetween(1, 23);
    }

    @Test
    void generate_eightConcurrentRequestsOnFourSlots_allCompleteWithTheirTokenCounts() throws Exception {
        // GIVEN 8 different requests submitted at once to a 4-slot engine
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Generation>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ChatCompletionRequest request = request("request number " + i, 0.0, 4 + i % 3, null);
                futures.add(pool.submit(() -> engine.generate(request)));
            }

            // THEN every one completes with exactly its own limit
            for (int i = 0; i < 8; i++) {
                Generation generation = futures.get(i).get();
                assertThat(generation.completionTokens()).as("request %d", i).isEqualTo(4 + i % 3);
                assertThat(generation.finishReason()).isEqualTo("length");
                assertThat(generation.promptTokens()).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void generate_whenPromptExceedsSlotContext_isPermanentContextLengthExceeded() {
        // GIVEN a prompt longer than one slot's 256 tokens
        String longText = "the river and the flood ".repeat(100);

        // WHEN
        UpstreamException e = catchThrowableOfType(UpstreamException.class,
                () -> engine.generate(request(longText, 0.0, 4, null)));

        // THEN
        assertThat(e).isNotNull();
        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo("context_length_exceeded");
    }

    @Test
    void generate_whenMaxTokensExceedsRemainingContext_stopsAtTheContextWithLength() throws Exception {
        // GIVEN a prompt that leaves fewer tokens than max_tokens in the slot
        String text = "the river ".repeat(50);
        int promptTokens = engine.generate(request(text, 0.0, 1, null)).promptTokens();

        // WHEN
        Generation generation = engine.generate(request(text, 0.0, 10_000, null));

        // THEN the completion fills the slot and no more
        assertThat(generation.completionTokens()).isEqualTo(CONTEXT_PER_SLOT - promptTokens);
        assertThat(generation.finishReason()).isEqualTo("length");
    }

    @Test
    void generateBatch_decodesEverySequenceOfTheBatchAndGivesEachItsOwnAnswer() throws Exception {
        // GIVEN four requests of different prompt lengths and limits, one per slot
        List<ChatCompletionRequest> batch = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            batch.add(request("the river " + "and the flood ".repeat(i), 0.0, 3 + i, null));
        }
        ExecutorService sequences = Executors.newCachedThreadPool();
        try {
            // WHEN they are started as one batch
            List<CompletableFuture<Generation>> outcomes = engine.generateBatch(batch, sequences);

            // THEN each outcome is its own request's: its own prompt, its own limit
            assertThat(outcomes).hasSize(SLOTS);
            for (int i = 0; i < SLOTS; i++) {
                Generation generation = outcomes.get(i).get(60, TimeUnit.SECONDS);
                Generation alone = engine.generate(batch.get(i));
                assertThat(generation.promptTokens()).as("sequence %d", i).isEqualTo(alone.promptTokens());
                assertThat(generation.completionTokens()).as("sequence %d", i).isEqualTo(3 + i);
                assertThat(generation.finishReason()).isEqualTo("length");
                assertThat(generation.content()).isNotEmpty();
            }
        } finally {
            sequences.shutdownNow();
        }
    }

    @Test
    void generateBatch_aFailingSequenceFailsAloneAndItsBatchMatesComplete() throws Exception {
        // GIVEN a batch whose middle request cannot fit a slot's context
        List<ChatCompletionRequest> batch = List.of(request("first mate", 0.0, 4, null),
                request("the river and the flood ".repeat(100), 0.0, 4, null), request("second mate", 0.0, 5, null));
        ExecutorService sequences = Executors.newCachedThreadPool();
        try {
            // WHEN
            List<CompletableFuture<Generation>> outcomes = engine.generateBatch(batch, sequences);

            // THEN only that one fails, with its own reason
            assertThat(outcomes.get(0).get(60, TimeUnit.SECONDS).completionTokens()).isEqualTo(4);
            assertThat(outcomes.get(2).get(60, TimeUnit.SECONDS).completionTokens()).isEqualTo(5);
            ExecutionException failed = catchThrowableOfType(ExecutionException.class,
                    () -> outcomes.get(1).get(60, TimeUnit.SECONDS));
            assertThat(failed.getCause()).isInstanceOf(UpstreamException.class);
            assertThat(((UpstreamException) failed.getCause()).code()).isEqualTo("context_length_exceeded");
        } finally {
            sequences.shutdownNow();
        }
    }

    @Test
    void generateBatch_cancellingOneSequenceLeavesItsMatesToFinish() throws Exception {
        // GIVEN a full batch: one long sequence and three short ones
        List<ChatCompletionRequest> batch = new ArrayList<>();
        batch.add(request("a very long answer please", 0.0, 200, null));
        for (int i = 0; i < SLOTS - 1; i++) {
            batch.add(request("short " + i, 0.0, 4, null));
        }
        ExecutorService sequences = Executors.newCachedThreadPool();
        try {
            List<CompletableFuture<Generation>> outcomes = engine.generateBatch(batch, sequences);

            // WHEN the long one is cancelled
            outcomes.get(0).cancel(true);

            // THEN it ends cancelled, its mates finish with their own answers, and the engine keeps serving
            for (int i = 1; i < SLOTS; i++) {
                assertThat(outcomes.get(i).get(60, TimeUnit.SECONDS).completionTokens()).isEqualTo(4);
            }
            assertThat(outcomes.get(0)).isCancelled();
            assertThat(engine.generate(request("after the cancel", 0.0, 3, null)).completionTokens()).isEqualTo(3);
        } finally {
            sequences.shutdownNow();
        }
    }

    @Test
    void generate_withAJsonSchema_samplesOnlyWhatTheSchemaAllows() throws Exception {
        // GIVEN a random-weight model, which left alone writes gibberish, asked for one of two JSON strings
        ChatCompletionRequest request = ChatCompletionRequest.of((ObjectNode) new ObjectMapper().readTree("""
                {"model":"tiny","messages":[{"role":"user","content":"yes or no?"}],"max_tokens":32,"seed":3,
                 "response_format":{"type":"json_schema","json_schema":{"name":"answer",
                   "schema":{"type":"string","enum":["yes","no"]}}}}"""));

        // WHEN
        Generation generation = engine.generate(request);

        // THEN the grammar held it to the schema (which lets JSON end with a space)
        assertThat(generation.content().strip()).isIn("\"yes\"", "\"no\"");
        assertThat(generation.finishReason()).isEqualTo("stop");
    }

    @Test
    void generate_withJsonObject_writesAnObject() throws Exception {
        // GIVEN
        ChatCompletionRequest request = ChatCompletionRequest.of((ObjectNode) new ObjectMapper().readTree("""
                {"model":"tiny","messages":[{"role":"user","content":"an object"}],"max_tokens":4,"temperature":0,
                 "response_format":{"type":"json_object"}}"""));

        // WHEN
        Generation generation = engine.generate(request);

        // THEN it opens an object: the grammar allows nothing else first
        assertThat(generation.content()).startsWith("{");
    }

    private static ChatCompletionRequest request(String user, Double temperature, Integer maxTokens,
            List<String> stop) {
        return new ChatCompletionRequest("tiny", List.of(ChatMessage.of("user", user)), temperature, null, maxTokens,
                null, stop, null);
    }
}
