package dev.spillway.core.batch;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.spillway.core.job.JobIds;

/**
 * Batch ids ({@code batch_} and the 26 random base-32 characters of a job id) and the ids of a batch's two
 * result files, {@code file-<same 26>-output} and {@code file-<same 26>-errors}, which lead back to it.
 */
public final class BatchIds {

    private static final String PREFIX = "batch_";
    private static final String RANDOM = "[0-9a-hjkmnp-tv-z]{26}";
    private static final Pattern BATCH = Pattern.compile(PREFIX + RANDOM);
    private static final Pattern FILE = Pattern.compile("file-(" + RANDOM + ")-(output|errors)");

    private BatchIds() {
    }

    public static String next() {
        return PREFIX + JobIds.next().substring("job_".length());
    }

    public static boolean isWellFormed(String candidate) {
        return candidate != null && BATCH.matcher(candidate).matches();
    }

    public static String fileId(String batchId, BatchFile.Kind kind) {
        return "file-" + batchId.substring(PREFIX.length()) + "-" + kind.suffix();
    }

    /** The batch and kind a file id names, or empty when it is not the id of a batch file. */
    public static Optional<BatchFile> parseFileId(String fileId) {
        if (fileId == null) {
            return Optional.empty();
        }
        Matcher matcher = FILE.matcher(fileId);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        BatchFile.Kind kind = matcher.group(2).equals("output") ? BatchFile.Kind.OUTPUT : BatchFile.Kind.ERRORS;
        return Optional.of(new BatchFile(PREFIX + matcher.group(1), kind));
    }
}
