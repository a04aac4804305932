package dev.spillway.backend.engine.llamacpp;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the scalar key-values of a GGUF header (arrays such as the vocabulary are skipped). The llama.cpp binding
 * exposes no tokenizer flags, yet counting prompt tokens like the server does needs {@code add_bos_token}.
 */
final class GgufMetadata {

    private GgufMetadata() {
    }

    static Map<String, Object> scalars(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != 0x47475546) { // "GGUF" read big-endian
                throw new IOException(file + " is not a GGUF file");
            }
            int version = Integer.reverseBytes(in.readInt());
            if (version < 2) {
                throw new IOException("GGUF version " + version + " is not supported");
            }
            in.readLong(); // tensor count
            long count = Long.reverseBytes(in.readLong());
            Map<String, Object> values = new HashMap<>();
            for (long i = 0; i < count; i++) {
                String key = string(in);
                Object value = value(in, Integer.reverseBytes(in.readInt()));
                if (value != null) {
                    values.put(key, value);
                }
            }
            return values;
        }
    }

    /** GGUF types: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array, 10 u64, 11 i64, 12 f64. */
    private static Object value(DataInputStream in, int type) throws IOException {
        switch (type) {
            case 0, 1: return (long) in.readByte();
            case 7: return in.readByte() != 0;
            case 2, 3: return (long) Short.reverseBytes(in.readShort());
            case 4, 5: return (long) Integer.reverseBytes(in.readInt());
            case 6: return Float.intBitsToFloat(Integer.reverseBytes(in.readInt()));
            case 10, 11: return Long.reverseBytes(in.readLong());
            case 12: return Double.longBitsToDouble(Long.reverseBytes(in.readLong()));
            case 8: return string(in);
            case 9:
                int elementType = Integer.reverseBytes(in.readInt());
                long n = Long.reverseBytes(in.readLong());
                for (long i = 0; i < n; i++) {
                    if (elementType == 8) {
                        skip(in, Long.reverseBytes(in.readLong()));
                    } else {
                        value(in, elementType);
                    }
                }
                return null;
            default: throw new IOException("unknown GGUF value type " + type);
        }
    }

    private static String string(DataInputStream in) throws IOException {
        long length = Long.reverseBytes(in.readLong());
        return new String(in.readNBytes(Math.toIntExact(length)), StandardCharsets.UTF_8);
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }
}
