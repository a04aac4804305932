package dev.spillway.core.batch.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.spillway.core.batch.BatchIds;
import dev.spillway.core.job.JobIds;

class BatchFileKeysTest {

    private final BatchFileKeys withTenants = new BatchFileKeys("batches/", "work/", true);
    private final BatchFileKeys defaultTenant = new BatchFileKeys("batches/", "work/", false);

    @Test
    void inputKey_namesItsTenantInTheFirstSegment() {
        assertThat(withTenants.parse("batches/acme/nightly/run-1.jsonl"))
                .contains(new BatchFileKeys.InputKey("batches/acme/nightly/run-1.jsonl", "acme"));
        assertThat(defaultTenant.parse("batches/run-1.jsonl"))
                .contains(new BatchFileKeys.InputKey("batches/run-1.jsonl", null));
    }

    @Test
    void resultFilesAndOtherKeys_areNotInputs() {
        assertThat(withTenants.parse("batches/acme/run-1.output.jsonl")).isEmpty();
        assertThat(withTenants.parse("batches/acme/run-1.errors.jsonl")).isEmpty();
        assertThat(withTenants.parse("batches/acme/run-1.csv")).isEmpty();
        assertThat(withTenants.parse("elsewhere/acme/run-1.jsonl")).isEmpty();
        assertThat(withTenants.parse("batches/run-1.jsonl")).as("no tenant segment").isEmpty();
        assertThat(withTenants.parse("batches/../etc/run-1.jsonl")).as("not a tenant").isEmpty();
        assertThat(withTenants.parse("batches/acme/.jsonl")).isEmpty();
        assertThat(defaultTenant.parse("batches/.jsonl")).isEmpty();
        assertThat(defaultTenant.parse(null)).isEmpty();
    }

    @Test
    void resultFiles_sitNextToTheInput() {
        assertThat(BatchFileKeys.outputKey("batches/acme/run-1.jsonl")).isEqualTo("batches/acme/run-1.output.jsonl");
        assertThat(BatchFileKeys.errorsKey("batches/acme/run-1.jsonl")).isEqualTo("batches/acme/run-1.errors.jsonl");
    }

    @Test
    void ids_areDerivedFromTheUpload_andWellFormed() {
        String batchId = BatchFileKeys.batchId("bucket", "batches/acme/a.jsonl", "\"abc\"");

        assertThat(BatchIds.isWellFormed(batchId)).isTrue();
        assertThat(BatchFileKeys.batchId("bucket", "batches/acme/a.jsonl", "abc")).as("quotes do not matter")
                .isEqualTo(batchId);
        assertThat(BatchFileKeys.batchId("bucket", "batches/acme/a.jsonl", "abd")).isNotEqualTo(batchId);
        assertThat(BatchFileKeys.batchId("bucket", "batches/acme/b.jsonl", "abc")).isNotEqualTo(batchId);
        assertThat(JobIds.isWellFormed(BatchFileKeys.jobId(batchId, 1))).isTrue();
        assertThat(BatchFileKeys.jobId(batchId, 1)).isEqualTo(BatchFileKeys.jobId(batchId, 1))
                .isNotEqualTo(BatchFileKeys.jobId(batchId, 2));
    }
}
