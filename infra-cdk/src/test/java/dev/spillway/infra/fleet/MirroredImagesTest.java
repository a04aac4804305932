package dev.spillway.infra.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MirroredImagesTest {

    @Test
    void dockerHubShortForm_hasNoHost_andOfficialImagesLiveUnderLibrary() {
        MirroredImages.ImageReference vllm = MirroredImages.ImageReference.parse("vllm/vllm-openai:v0.11.0");
        MirroredImages.ImageReference redis = MirroredImages.ImageReference.parse("redis:7");

        assertThat(vllm).isEqualTo(new MirroredImages.ImageReference(null, "vllm/vllm-openai", "v0.11.0"));
        assertThat(vllm.withDockerHubLibrary()).isEqualTo(vllm);
        assertThat(redis.withDockerHubLibrary().repository()).isEqualTo("library/redis");
    }

    @Test
    void registryHosts_areToldApart() {
        MirroredImages.ImageReference cli = MirroredImages.ImageReference.parse("public.ecr.aws/aws-cli/aws-cli:2.22.0");
        MirroredImages.ImageReference ecr = MirroredImages.ImageReference.parse(
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vllm/vllm-openai:v0.11.0");

        assertThat(cli.host()).isEqualTo("public.ecr.aws");
        assertThat(cli.repository()).isEqualTo("aws-cli/aws-cli");
        assertThat(cli.isEcr()).isFalse();
        assertThat(ecr.isEcr()).isTrue();
        assertThat(ecr.ecrAccount()).isEqualTo("123456789012");
        assertThat(ecr.ecrRegion()).isEqualTo("eu-west-1");
        assertThat(ecr.repository()).isEqualTo("vllm/vllm-openai");
        assertThat(MirroredImages.ImageReference.parse("localhost:5000/worker").tag()).isEqualTo("latest");
    }
}
