package dev.verdict.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link Authorization#isCanonicalText} says yes to exactly {@link UUID#toString()}, and to nothing else. */
class OrganizationTextTest {
    @Test
    void onlyTheCanonicalTextOfTheSameIdMatches() {
        Random random = new Random(42);
        for (int n = 0; n < 2_000; n++) {
            UUID id = new UUID(random.nextLong(), random.nextLong());
            String text = id.toString();
            assertThat(Authorization.isCanonicalText(text, id)).as(text).isTrue();
            assertThat(Authorization.isCanonicalText(new UUID(random.nextLong(), random.nextLong()).toString(), id))
                    .isFalse();
            if (!text.equals(text.toUpperCase(Locale.ROOT))) {
                assertThat(Authorization.isCanonicalText(text.toUpperCase(Locale.ROOT), id)).as(text).isFalse();
            }
            // Every single character changed, and the text cut or lengthened.
            for (int i = 0; i < text.length(); i++) {
                char other = text.charAt(i) == '0' ? '1' : '0';
                String changed = text.substring(0, i) + other + text.substring(i + 1);
                assertThat(Authorization.isCanonicalText(changed, id)).as(changed).isFalse();
            }
            assertThat(Authorization.isCanonicalText(text.substring(1), id)).isFalse();
            assertThat(Authorization.isCanonicalText(text + "0", id)).isFalse();
        }
        UUID zero = new UUID(0, 0);
        assertThat(Authorization.isCanonicalText("00000000-0000-0000-0000-000000000000", zero)).isTrue();
        assertThat(Authorization.isCanonicalText("", zero)).isFalse();
    }
}
