package dev.spillway.backend.engine.llamacpp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a tiny llama-architecture GGUF (v3, F32) with seeded random weights: no registry reachable here ships
 * real generative weights, yet tests and the local stack need a model llama.cpp really loads and runs. Output is
 * gibberish; greedy decoding is deterministic. SentencePiece ("llama") vocabulary of control tokens, the 256
 * byte-fallback tokens, printable ASCII and a few words, with a ChatML chat template.
 */
public final class TinyRandomGguf {

    public static final long DEFAULT_SEED = 42L;

    private static final int EMBD = 64, HEADS = 4, FF = 128, LAYERS = 2, TRAIN_CTX = 4096, ALIGN = 32;
    private static final String[] WORDS = {"the", "and", "you", "hello", "world", "spill", "way", "river", "water",
            "flood", "model", "token", "is", "of", "to", "in", "it", "a", "I"};
    /** ChatML; llama.cpp also recognises it without Jinja by the {@code <|im_start|>} marker. */
    static final String CHAT_TEMPLATE = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    private static final int CONTROL_TOKENS = 5, BYTE_TOKENS = 256; // <unk> <s> </s> <|im_start|> <|im_end|>

    private TinyRandomGguf() {
    }

    /** Writes the default-seed model unless {@code file} exists; atomic, so concurrent callers never see half a file. */
    public static Path writeIfAbsent(Path file) {
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            write(tmp, DEFAULT_SEED);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(Path file, long seed) throws IOException {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3, 3, 3)); // UNKNOWN, CONTROL
        for (int b = 0; b < BYTE_TOKENS; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6); // BYTE
        }
        List<String> pieces = new ArrayList<>(List.of("\u2581"));
        for (char c = 0x21; c < 0x7f; c++) {
            pieces.add(String.valueOf(c));
        }
        // SentencePiece merges adjacent symbols whose concatenation is in the vocabulary: every prefix must exist.
        for (String w : WORDS) {
            for (int i = 2; i <= w.length() + 1; i++) {
                String prefix = ("\u2581" + w).substring(0, i);
                if (!pieces.contains(prefix)) {
                    pieces.add(prefix);
                }
            }
        }
        List<Float> scores = new ArrayList<>();
        tokens.forEach(t -> scores.add(0f));
        for (String p : pieces) {
            tokens.add(p);
            types.add(1); // NORMAL
            scores.add((float) p.length()); // longer pieces win merges
        }
        int vocab = tokens.size();

        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("general.architecture", "llama");
        kv.put("general.name", "spillway-tiny-random");
        kv.put("llama.context_length", TRAIN_CTX);
        kv.put("llama.embedding_length", EMBD);
        kv.put("llama.block_count", LAYERS);
        kv.put("llama.feed_forward_length", FF);
        kv.put("llama.attention.head_count", HEADS);
        kv.put("llama.attention.head_count_kv", HEADS);
        kv.put("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        kv.put("llama.rope.dimension_count", EMBD / HEADS);
        kv.put("llama.rope.freq_base", 10000f);
        kv.put("llama.vocab_size", vocab);
        kv.put("tokenizer.ggml.model", "llama");
        kv.put("tokenizer.ggml.tokens", tokens);
        kv.put("tokenizer.ggml.scores", scores);
        kv.put("tokenizer.ggml.token_type", types);
        kv.put("tokenizer.ggml.unknown_token_id", 0);
        kv.put("tokenizer.ggml.bos_token_id", 1);
        kv.put("tokenizer.ggml.eos_token_id", 2);
        kv.put("tokenizer.ggml.add_bos_token", Boolean.TRUE);
        kv.put("tokenizer.ggml.add_eos_token", Boolean.FALSE);
        kv.put("tokenizer.chat_template", CHAT_TEMPLATE);

        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensor(tensors, shapes, "token_embd.weight", random, 1.0f, EMBD, vocab);
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            ones(tensors, shapes, p + "attn_norm.weight");
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_output"}) {
                tensor(tensors, shapes, p + m + ".weight", random, 0.25f, EMBD, EMBD);
            }
            ones(tensors, shapes, p + "ffn_norm.weight");
            tensor(tensors, shapes, p + "ffn_gate.weight", random, 0.25f, EMBD, FF);
            tensor(tensors, shapes, p + "ffn_up.weight", random, 0.25f, EMBD, FF);
            tensor(tensors, shapes, p + "ffn_down.weight", random, 0.18f, FF, EMBD);
        }
        ones(tensors, shapes, "output_norm.weight");
        float[] output = tensor(tensors, shapes, "output.weight", random, 1.0f, EMBD, vocab);
        // Zero logits for control and byte tokens: greedy never ends early nor emits half a UTF-8 character.
        java.util.Arrays.fill(output, 0, (CONTROL_TOKENS + BYTE_TOKENS) * EMBD, 0f);

        Le out = new Le();
        out.bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).i32(3).i64(tensors.size()).i64(kv.size());
        kv.forEach((k, v) -> out.str(k).value(v, true));
        long offset = 0;
        for (var e : tensors.entrySet()) {
            long[] dims = shapes.get(e.getKey());
            out.str(e.getKey()).i32(dims.length);
            for (long d : dims) {
                out.i64(d);
            }
            out.i32(0).i64(offset); // GGML_TYPE_F32
            offset = align(offset + 4L * e.getValue().length);
        }
        out.pad();
        for (float[] data : tensors.values()) {
            ByteBuffer buf = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(data);
            out.bytes(buf.array()).pad();
        }
        Files.write(file, out.toByteArray());
    }

    private static float[] tensor(Map<String, float[]> tensors, Map<String, long[]> shapes, String name,
            SplittableRandom random, float scale, int ne0, int ne1) {
        float[] data = new float[ne0 * ne1];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        tensors.put(name, data);
        shapes.put(name, new long[] {ne0, ne1});
        return data;
    }

    private static void ones(Map<String, float[]> tensors, Map<String, long[]> shapes, String name) {
        float[] data = new float[EMBD];
        java.util.Arrays.fill(data, 1f);
        tensors.put(name, data);
        shapes.put(name, new long[] {EMBD});
    }

    private static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Little-endian GGUF encoder. */
    private static final class Le extends ByteArrayOutputStream {

        Le bytes(byte[] b) {
            writeBytes(b);
            return this;
        }

        Le i32(int v) {
            return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }

        Le i64(long v) {
            return bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        Le str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return i64(b.length).bytes(b);
        }

        Le pad() {
            while (size() % ALIGN != 0) {
                write(0);
            }
            return this;
        }

        /** GGUF value types: UINT32=4, INT32=5, FLOAT32=6, BOOL=7, STRING=8, ARRAY=9. */
        Le value(Object v, boolean tagged) {
            if (v instanceof String s) {
                return (tagged ? i32(8) : this).str(s);
            } else if (v instanceof Integer i) {
                return (tagged ? i32(4) : this).i32(i);
            } else if (v instanceof Float f) {
                return (tagged ? i32(6) : this).i32(Float.floatToIntBits(f));
            } else if (v instanceof Boolean b) {
                if (tagged) {
                    i32(7);
                }
                write(b ? 1 : 0);
                return this;
            } else if (v instanceof List<?> list) {
                Object first = list.get(0);
                int type = first instanceof String ? 8 : first instanceof Float ? 6 : 5; // token_type is INT32
                i32(9).i32(type).i64(list.size());
                for (Object e : list) {
                    if (type == 5) {
                        i32((Integer) e);
                    } else {
                        value(e, false);
                    }
                }
                return this;
            }
            throw new IllegalArgumentException("unsupported GGUF value " + v);
        }
    }
}
