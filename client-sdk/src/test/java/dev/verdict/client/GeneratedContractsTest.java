package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.v1.AccessServiceGrpc;
import org.junit.jupiter.api.Test;

/** Build-level check: the verdict.v1 stubs are generated into dev.verdict.v1 and usable from the SDK. */
class GeneratedContractsTest {
  @Test
  void accessServiceStubIsGeneratedInJavaPackage() {
    assertThat(AccessServiceGrpc.SERVICE_NAME).isEqualTo("verdict.v1.AccessService");
    assertThat(AccessServiceGrpc.getServiceDescriptor().getMethods()).isNotEmpty();
  }

  @Test
  void runsOnTheToolchainJdk() {
    assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(21);
  }
}
