package dev.spillway.core.batch.files;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The application's S3 client: the one the Quarkus extension configures ({@code quarkus.s3.*}), finished with
 * {@link BatchFilesConfig#requestChecksums()}, which the extension has no key for.
 */
@ApplicationScoped
public class FilesS3Client {

    @Produces
    @ApplicationScoped
    S3Client s3(S3ClientBuilder builder, BatchFilesConfig config) {
        if (config.requestChecksums() == BatchFilesConfig.Checksums.WHEN_REQUIRED) {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
        }
        return builder.build();
    }
}
