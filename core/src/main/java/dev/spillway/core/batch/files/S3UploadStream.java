package dev.spillway.core.batch.files;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Writes one S3 object as it is produced, holding at most one part in memory: a single {@code PutObject} when it
 * fits in one part, a multipart upload otherwise. Nothing is visible under the key until {@link #close()}
 * succeeds; {@link #abort()} drops what was uploaded. An object with no bytes is not created at all.
 */
final class S3UploadStream extends OutputStream {

    static final String CONTENT_TYPE = "application/jsonl";

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final int partSize;
    private final ByteArrayOutputStream part;
    private final List<CompletedPart> parts = new ArrayList<>();
    private String uploadId;
    private long written;
    private boolean closed;

    S3UploadStream(S3Client s3, String bucket, String key, int partSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.partSize = partSize;
        this.part = new ByteArrayOutputStream(Math.min(partSize, 1 << 20));
    }

    @Override
    public void write(int b) {
        part.write(b);
        written++;
        flushPartIfFull();
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        part.write(bytes, offset, length);
        written += length;
        flushPartIfFull();
    }

    private void flushPartIfFull() {
        if (part.size() >= partSize) {
            uploadPart();
        }
    }

    private void uploadPart() {
        if (uploadId == null) {
            uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE)).uploadId();
        }
        int number = parts.size() + 1;
        String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
                RequestBody.fromBytes(part.toByteArray())).eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        part.reset();
    }

    /** Bytes written so far. */
    long written() {
        return written;
    }

    /** Makes the object visible under its key (when any byte was written). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (uploadId == null) {
            if (written > 0) {
                s3.putObject(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE),
                        RequestBody.fromBytes(part.toByteArray()));
            }
            return;
        }
        if (part.size() > 0) {
            uploadPart();
        }
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
    }

    /** Drops what was uploaded; nothing appears under the key. */
    void abort() {
        if (closed) {
            return;
        }
        closed = true;
        if (uploadId != null) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException e) {
                // A bucket lifecycle rule removes incomplete uploads.
            }
        }
    }
}
