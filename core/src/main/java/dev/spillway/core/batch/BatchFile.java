package dev.spillway.core.batch;

/** One of a batch's result files: the successful responses, or the requests that did not succeed. */
public record BatchFile(String batchId, Kind kind) {

    public enum Kind {
        OUTPUT("output"), ERRORS("errors");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }

        String suffix() {
            return suffix;
        }

        /** This kind of file of the batch {@code batchId}. */
        public String fileOf(String batchId) {
            return BatchIds.fileId(batchId, this);
        }
    }

    public String id() {
        return BatchIds.fileId(batchId, kind);
    }
}
