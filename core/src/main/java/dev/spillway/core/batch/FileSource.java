package dev.spillway.core.batch;

import java.time.Instant;

/**
 * Where a batch created from an S3 object came from, and where its result files went. Null on a batch created
 * through the API.
 *
 * @param version the object's version id, or its ETag in an unversioned bucket: what makes a re-upload of the
 *        same key a new batch
 * @param rejected lines of the input that never became jobs (malformed, duplicate, not allowed); they are listed
 *        in the error file with their line numbers
 * @param outputKey key of the written output file; null until written, and when no request succeeded
 * @param errorKey key of the written error file; null until written, and when every line succeeded
 * @param outputsWritten when the result files were written; null while the batch runs
 */
public record FileSource(String bucket, String inputKey, String version, int rejected, String outputKey,
        String errorKey, Instant outputsWritten) {

    public String inputUri() {
        return uri(inputKey);
    }

    public String outputUri() {
        return uri(outputKey);
    }

    public String errorUri() {
        return uri(errorKey);
    }

    private String uri(String key) {
        return key == null ? null : "s3://" + bucket + "/" + key;
    }
}
