package dev.verdict.server.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyIndexTest {
    @Test
    void findsEveryKeyAndNothingElseLikeAMap() {
        Random random = new Random(7);
        for (int size : new int[] {0, 1, 2, 3, 7, 64, 1000, 5000}) {
            String[] keys = new String[size];
            Map<String, Integer> expected = new HashMap<>();
            for (int i = 0; i < size; i++) {
                keys[i] = "app-" + Integer.toString(random.nextInt(1 << 30), 36) + "-" + i;
                expected.put(keys[i], i);
            }
            KeyIndex index = new KeyIndex(keys);
            for (String key : keys) {
                assertThat(index.indexOf(key)).as(key).isEqualTo(expected.get(key));
                assertThat(index.indexOf(new String(key.toCharArray()))).as("an equal, not identical, key").isEqualTo(expected.get(key));
            }
            for (int i = 0; i < 1000; i++) {
                String absent = "absent-" + i;
                assertThat(index.indexOf(absent)).isEqualTo(Catalogue.NOT_FOUND);
            }
            assertThat(index.indexOf("")).isEqualTo(Catalogue.NOT_FOUND);
        }
    }

    @Test
    void keysOfTheSameHashAreTold() {
        // "Aa" and "BB" share String.hashCode, and so do their concatenations.
        String[] keys = {"AaAa", "AaBB", "BBAa", "BBBB"};
        assertThat(keys[0].hashCode()).isEqualTo(keys[3].hashCode());
        KeyIndex index = new KeyIndex(keys);
        for (int i = 0; i < keys.length; i++) {
            assertThat(index.indexOf(keys[i])).isEqualTo(i);
        }
        assertThat(index.indexOf("AaAaAa")).isEqualTo(Catalogue.NOT_FOUND);
    }

    @Test
    void aRepeatedKeyKeepsItsLastIndexAsAMapWould() {
        assertThat(new KeyIndex(new String[] {"dev", "prod", "dev"}).indexOf("dev")).isEqualTo(2);
    }
}
