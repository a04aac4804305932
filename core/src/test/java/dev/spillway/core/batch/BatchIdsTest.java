package dev.spillway.core.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchIdsTest {

    @Test
    void fileIds_leadBackToTheirBatchAndKind() {
        String batchId = BatchIds.next();

        assertThat(BatchIds.isWellFormed(batchId)).isTrue();
        assertThat(BatchIds.parseFileId(BatchFile.Kind.OUTPUT.fileOf(batchId)))
                .contains(new BatchFile(batchId, BatchFile.Kind.OUTPUT));
        assertThat(BatchIds.parseFileId(BatchFile.Kind.ERRORS.fileOf(batchId)))
                .contains(new BatchFile(batchId, BatchFile.Kind.ERRORS));
    }

    @Test
    void malformedIds_areRefused() {
        assertThat(BatchIds.isWellFormed("batch_../../etc/passwd")).isFalse();
        assertThat(BatchIds.isWellFormed("job_0123456789abcdefghjkmnpqrs")).isFalse();
        assertThat(BatchIds.isWellFormed(null)).isFalse();
        assertThat(BatchIds.parseFileId("file-0123456789abcdefghjkmnpqrs-input")).isEmpty();
        assertThat(BatchIds.parseFileId("file-../batches-output")).isEmpty();
        assertThat(BatchIds.parseFileId(null)).isEmpty();
    }
}
