package dev.spillway.core.batch.files;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The S3 key layout of batch files, and the ids derived from an input object.
 *
 * <p>An input is {@code <input-prefix><tenant>/<name>.jsonl} ({@code <input-prefix><name>.jsonl} when every file
 * belongs to the default tenant). Its results are written next to it: {@code <name>.output.jsonl} and
 * {@code <name>.errors.jsonl}; those two suffixes are therefore never read as inputs. The batch id is derived from
 * bucket, key and ETag, so every delivery of the same upload names the same batch, and a new upload under the
 * same key (other content) is a new batch; the job of each line is derived from the batch id and line number.
 */
public final class BatchFileKeys {

    static final String INPUT_SUFFIX = ".jsonl";
    static final String OUTPUT_SUFFIX = ".output.jsonl";
    static final String ERRORS_SUFFIX = ".errors.jsonl";
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private final String inputPrefix;
    private final String workPrefix;
    private final boolean tenantInPath;

    /** @param tenantInPath whether the first segment under the prefix names the tenant (authentication on) */
    public BatchFileKeys(String inputPrefix, String workPrefix, boolean tenantInPath) {
        this.inputPrefix = inputPrefix;
        this.workPrefix = workPrefix;
        this.tenantInPath = tenantInPath;
    }

    /** An input file's key, split; tenant is null when files carry none. */
    public record InputKey(String key, String tenant) {
    }

    /**
     * The key as a batch input, or empty when it is none: outside the input prefix, not {@code .jsonl}, one of
     * Spillway's own result files, or (with tenants in the path) without a well-formed tenant segment.
     */
    public Optional<InputKey> parse(String key) {
        if (key == null || !key.startsWith(inputPrefix) || !key.endsWith(INPUT_SUFFIX) || key.endsWith(OUTPUT_SUFFIX)
                || key.endsWith(ERRORS_SUFFIX) || key.length() == inputPrefix.length() + INPUT_SUFFIX.length()) {
            return Optional.empty();
        }
        if (!tenantInPath) {
            return Optional.of(new InputKey(key, null));
        }
        String rest = key.substring(inputPrefix.length());
        int slash = rest.indexOf('/');
        if (slash < 0 || !TENANT.matcher(rest.substring(0, slash)).matches()
                || rest.length() == slash + 1 + INPUT_SUFFIX.length()) {
            return Optional.empty();
        }
        return Optional.of(new InputKey(key, rest.substring(0, slash)));
    }

    public String inputPrefix() {
        return inputPrefix;
    }

    public static String outputKey(String inputKey) {
        return base(inputKey) + OUTPUT_SUFFIX;
    }

    public static String errorsKey(String inputKey) {
        return base(inputKey) + ERRORS_SUFFIX;
    }

    private static String base(String inputKey) {
        return inputKey.substring(0, inputKey.length() - INPUT_SUFFIX.length());
    }

    /** Where the lines of a batch that never became jobs wait for its error file. */
    public String rejectedKey(String batchId) {
        return workPrefix + batchId + "/rejected.jsonl";
    }

    /** An ETag without the quotes S3 puts around it in some responses. */
    public static String etag(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }

    public static String batchId(String bucket, String key, String etag) {
        return "batch_" + hash(bucket + "\n" + key + "\n" + etag(etag));
    }

    /** The job of line {@code line} (1-based) of the batch's input. */
    public static String jobId(String batchId, long line) {
        return "job_" + hash(batchId + "#" + line);
    }

    /** 26 base-32 characters (130 bits) of the SHA-256 of {@code text}, in the alphabet of random ids. */
    private static String hash(String text) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        char[] out = new char[26];
        for (int i = 0; i < out.length; i++) {
            int bit = i * 5;
            int value = ((digest[bit / 8] & 0xff) << 8 | (digest[bit / 8 + 1] & 0xff)) >> (11 - bit % 8) & 0x1f;
            out[i] = ALPHABET[value];
        }
        return new String(out);
    }
}
